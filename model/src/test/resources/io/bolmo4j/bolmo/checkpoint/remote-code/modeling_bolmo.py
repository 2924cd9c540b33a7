# Stand-in for the released remote code (see configuration_bolmo.py): the class names only.
from transformers import PreTrainedModel

from .configuration_bolmo import BolmoConfig


class BolmoModel(PreTrainedModel):
    config_class = BolmoConfig


class BolmoForCausalLM(PreTrainedModel):
    config_class = BolmoConfig
