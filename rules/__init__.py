"""The packaged rule base and model catalog: data files only, installed as advisor.rules."""

from pathlib import Path

# Where the files are: an installed package is a plain folder. (importlib.resources would say
# the same, but importing it costs a few milliseconds of every start.)
FOLDER = Path(__file__).parent
