# Stand-in for the released remote code (see configuration_bolmo.py): the class name only.
from transformers import PreTrainedTokenizer


class BolmoTokenizer(PreTrainedTokenizer):
    pass
