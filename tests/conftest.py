import pytest

from advisor import Router


@pytest.fixture(scope="session")
def router():
    """One Router for the whole run: building it compiles the rule base once."""
    with Router() as r:
        yield r
