# Stand-in for the remote code of allenai/Bolmo-1B / -7B, served by the tests' loopback Hub: the released modules need
# the xlstm package, which no registry here serves. Only the names match the released ones (module and class), so that
# transformers' resolution of a saved Bolmo's auto_map can be checked; written for bolmo4j's tests, not Ai2's code.
from transformers import PretrainedConfig


class BolmoConfig(PretrainedConfig):
    model_type = "bolmo"

    def __init__(self, tokenizer_config=None, **kwargs):
        self.tokenizer_config = tokenizer_config
        super().__init__(**kwargs)
