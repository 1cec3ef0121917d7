"""The packaged rule base and model catalog: data files only, installed as advisor.rules."""
