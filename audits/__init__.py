"""Audits, evidence, findings, LPA programs and reports."""
