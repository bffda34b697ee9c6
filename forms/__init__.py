"""The checklist definition engine: schema, item types, logic, versions (built in issue 4)."""
