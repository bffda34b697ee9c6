"""The expression language of checklists: CEL (Common Expression Language).

Python evaluates with ``common-expression-language`` (authoritative, at submit); the tablet page
evaluates the same expressions with ``@marcbachmann/cel-js`` for live show/hide. Shared cases in
``tests/conformance/logic.json`` prove both agree.

Variables: ``answers`` (item key → answer value, null when unanswered or hidden; repeat groups
are lists of row maps) and ``machine`` (tag role → live value). Numbers from number-like items
are always doubles, so ``answers.temp > 180`` works and mixed int/double arithmetic fails the
same way on both sides. An expression that fails at run time yields ``LogicError``; callers
fall back to a safe default (visible, not required, not failed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import cel

#: Longest accepted expression; keeps evaluation cost bounded.
MAX_EXPRESSION_LENGTH = 2000
#: Names an expression may use at its root (besides macro variables it binds itself).
ROOT_VARIABLES = frozenset({"answers", "machine"})

_STRING_LITERAL = re.compile(
    r"""[rR]?(?:'''(?:\\.|[^\\])*?'''|\"\"\"(?:\\.|[^\\])*?\"\"\"|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*")""",
    re.DOTALL,
)
_ANSWER_REFERENCE = re.compile(r"(?<![\w.])answers\s*\.\s*([A-Za-z_]\w*)")
_ANSWER_INDEX = re.compile(r"(?<![\w.])answers\s*\[")
_ANSWERS_AS_A_WHOLE = re.compile(r"(?<![\w.])answers\b(?!\s*[.\[])")


class ExpressionInvalid(ValueError):
    """The expression does not parse or uses something it may not; ``code`` says which."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class LogicError(RuntimeError):
    """Evaluation failed at run time (null operand, missing key, division by zero, ...)."""


@dataclass(frozen=True, slots=True)
class Expression:
    """A compiled expression and the answer keys it reads."""

    source: str
    program: Any
    answer_keys: frozenset[str]
    #: True when the expression uses ``answers`` as a whole (e.g. ``size(answers)``).
    reads_all_answers: bool = False
    #: True when the expression reads ``machine`` (live tag values).
    reads_machine: bool = False

    def evaluate(self, context: dict[str, Any]) -> Any:
        """Run the expression on ``context``.

        Only the answers the expression names are handed to CEL: converting the whole answer
        map on every evaluation would dominate the cost of validating a large checklist.

        Raises:
            LogicError: evaluation failed.
        """
        if not self.reads_all_answers:
            answers = context.get("answers") or {}
            context = {**context, "answers": {key: answers.get(key) for key in self.answer_keys}}
        try:
            return self.program.execute(context)
        except Exception as exc:  # the binding raises several types; all mean "no result"
            raise LogicError(str(exc).splitlines()[0]) from exc


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> Expression:
    """Compile ``source`` once (cached: definitions are immutable once published).

    Raises:
        ExpressionInvalid: too long, does not parse, or uses unknown root variables.
    """
    if len(source) > MAX_EXPRESSION_LENGTH:
        raise ExpressionInvalid(
            "expression_too_long", f"Expressions are limited to {MAX_EXPRESSION_LENGTH} characters."
        )
    if not source.strip():
        raise ExpressionInvalid("expression_empty", "The expression is empty.")
    try:
        program = cel.compile(source)
    except Exception as exc:
        raise ExpressionInvalid(
            "expression_syntax", f"The expression does not parse: {_first_line(exc)}"
        ) from exc
    unknown = set(program.variables()) - ROOT_VARIABLES - _bound_variables(source)
    if unknown:
        names = ", ".join(sorted(unknown))
        raise ExpressionInvalid(
            "expression_unknown_variable",
            f"Unknown name(s): {names}. Use answers.<item> or machine.<role>.",
        )
    code = _STRING_LITERAL.sub('""', source)
    if _ANSWER_INDEX.search(code):
        raise ExpressionInvalid(
            "expression_dynamic_reference", "Refer to items as answers.<item>, not answers[...]."
        )
    whole = bool(_ANSWERS_AS_A_WHOLE.search(code))
    return Expression(
        source,
        program,
        frozenset(_ANSWER_REFERENCE.findall(code)),
        whole,
        "machine" in set(program.variables()),
    )


def _bound_variables(source: str) -> set[str]:
    """Names bound by comprehension macros such as ``list.filter(p, ...)``."""
    code = _STRING_LITERAL.sub('""', source)
    return set(
        re.findall(r"\.\s*(?:all|exists|exists_one|filter|map)\s*\(\s*([A-Za-z_]\w*)\s*,", code)
    )


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def is_true(value: Any) -> bool:
    """CEL conditions must yield a boolean; anything else counts as not true."""
    return value is True
