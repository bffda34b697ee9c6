"""Validating a full 100-item submission, three figures.

- ``validate-100-items``: the validator itself. Baseline: ``jsonschema.validate(answers,
  schema)`` per request, the plain library call. Gemba: the version's compiled jsonschema-rs
  validator from the warm cache (what every submission passes first). Target >=35x.
- ``validate-100-items-prebuilt``: the same, against the strongest plain-``jsonschema``
  baseline, a ``Draft202012Validator`` built once and reused. Target >=35x as well.
- ``validate-and-score-100-items``: Gemba's whole check (structure, then the logic engine:
  visibility, required-if, fail-if, on-fail requirements, scoring) against the prebuilt plain
  structural check. It does more work than the baseline; the target is only to stay faster.
"""

from __future__ import annotations

import jsonschema

from bench.common import Result, Target, compare, note
from bench.data import definition_document, full_answers
from canonical import content_hash
from forms.definition import Definition, parse_definition
from forms.validation import answers_schema, compile_version, validate_submission

NAME = "validate-100-items"


def run() -> list[Result]:
    """Measure and return the three figures."""
    document = definition_document()
    definition = parse_definition(document)
    answers = full_answers(document)
    digest = content_hash(document)
    schema = answers_schema(definition)
    prebuilt = jsonschema.Draft202012Validator(schema)

    def load() -> Definition:
        return definition

    compiled = compile_version(digest, load)

    def plain() -> None:
        jsonschema.validate(answers, schema)

    def plain_prebuilt() -> None:
        prebuilt.validate(answers)

    def structural() -> None:
        if compile_version(digest, load).structural_errors(answers):
            raise AssertionError("the benchmark submission is invalid")

    def full() -> None:
        errors, evaluation = validate_submission(compile_version(digest, load), answers)
        if errors or evaluation is None:
            raise AssertionError(f"the benchmark submission is invalid: {errors[:3]}")

    for check in (plain, plain_prebuilt, structural, full):
        check()  # all must accept the submission, or the comparison means nothing
    results = []
    for name, baseline, gemba, target in (
        (NAME, plain, structural, Target(">=", 35)),
        (f"{NAME}-prebuilt", plain_prebuilt, structural, Target(">=", 35)),
        ("validate-and-score-100-items", plain_prebuilt, full, Target(">=", 1)),
    ):
        base_s, gemba_s = compare(baseline, gemba, rounds=7, round_seconds=0.2)
        results.append(
            Result(
                name=name,
                baseline=base_s * 1e6,
                gemba=gemba_s * 1e6,
                unit="us",
                ratio=base_s / gemba_s,
                target=target,
            )
        )
    evaluation = validate_submission(compiled, answers)[1]
    assert evaluation is not None
    note(f"{NAME}: {len(definition.items)} items, score {evaluation.score}")
    return results
