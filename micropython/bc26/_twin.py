"""Which tokenizer twin runs: the C one when built, else pure Python."""
from .tokenizer import Tokenizer

IMPLEMENTATION = "python"
