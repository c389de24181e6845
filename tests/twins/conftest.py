"""The `twin` fixture: every test that takes it runs once on the pure-Python
tokenizer and once on the C one (skipped, with the reason, when the C twin
is not built)."""
import pytest

from bc26.tokenizer import Tokenizer as PyTokenizer

try:
    from bc26.host.ctokenizer import Tokenizer as CTokenizer
except ImportError:
    CTokenizer = None

TWINS = [
    pytest.param(PyTokenizer, id="python"),
    pytest.param(CTokenizer, id="c", marks=pytest.mark.skipif(
        CTokenizer is None, reason="C twin not built (bc26._ctok missing)")),
]


@pytest.fixture(params=TWINS)
def twin(request):
    """A Tokenizer class: the Python twin, then the C twin."""
    return request.param


@pytest.fixture
def ctwin():
    """The C Tokenizer class; skips when it is not built."""
    if CTokenizer is None:
        pytest.skip("C twin not built (bc26._ctok missing)")
    return CTokenizer
