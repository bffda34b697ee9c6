"""validate-100-items: validating a full 100-item submission.

Baseline: ``jsonschema.validate(answers, answers_schema(definition))`` per request, the way a
naive implementation would. Gemba: ``validate_submission`` with the version's compiled validator
from the warm cache — the jsonschema-rs structural check *and* the logic engine (visibility,
required-if, fail-if, scoring).
"""

from __future__ import annotations

import jsonschema

from bench.common import Result, Target, compare, note
from bench.data import definition_document, full_answers
from canonical import content_hash
from forms.definition import Definition, parse_definition
from forms.validation import answers_schema, compile_version, validate_submission

NAME = "validate-100-items"
TARGET = Target(">=", 35)


def run() -> list[Result]:
    """Measure both and return the summary figure."""
    document = definition_document()
    definition = parse_definition(document)
    answers = full_answers(document)
    digest = content_hash(document)

    def load() -> Definition:
        return definition

    def baseline() -> None:
        jsonschema.validate(answers, answers_schema(definition))

    def gemba() -> None:
        errors, evaluation = validate_submission(compile_version(digest, load), answers)
        if errors or evaluation is None:
            raise AssertionError(f"the benchmark submission is invalid: {errors[:3]}")

    baseline()  # both must accept the submission, or the comparison means nothing
    gemba()  # also warms the compiled-validator cache
    base_s, gemba_s = compare(baseline, gemba, rounds=7, round_seconds=0.2)
    evaluation = validate_submission(compile_version(digest, load), answers)[1]
    assert evaluation is not None
    note(
        f"{NAME}: {len(definition.items)} items, score {evaluation.score}, "
        f"result {evaluation.result}"
    )
    return [
        Result(
            name=NAME,
            baseline=base_s * 1e6,
            gemba=gemba_s * 1e6,
            unit="us",
            ratio=base_s / gemba_s,
            target=TARGET,
        )
    ]
