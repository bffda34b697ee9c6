"""Benchmarks that compare Gemba with a bare baseline in the same run (``make bench``).

Each benchmark prints one summary line per figure::

    bench <name>: baseline <value> <unit>, gemba <value> <unit>, ratio <r>x, target <t>

with ``MISSED`` appended when the target is not met. Absolute times depend on the machine;
only the ratio against the baseline measured in the same run is meaningful.
"""
