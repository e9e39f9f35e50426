"""Question banks: the YAML format, its loader and validator, and its cache.

    banks = load_banks([bundled_bank_dir()], cache_dir=cache)   # raises BankError
    bank = StaticQuestionBank(banks)                            # a QuestionBank port

``format.py`` describes the file format; ``questions/bank.schema.json`` is the
same format as a JSON Schema for editors.
"""

from bot.bank.files import bank_files, bundled_bank_dir, load_bank_file, load_banks
from bot.bank.format import BankInfo, LoadedBank
from bot.bank.loader import load_bank_text
from bot.bank.problems import BankError, BankProblem
from bot.bank.static import StaticQuestionBank
from bot.bank.synthetic import synthetic_bank_text

__all__ = [
    "BankError",
    "BankInfo",
    "BankProblem",
    "LoadedBank",
    "StaticQuestionBank",
    "bank_files",
    "bundled_bank_dir",
    "load_bank_file",
    "load_bank_text",
    "load_banks",
    "synthetic_bank_text",
]
