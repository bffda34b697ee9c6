// The browser logic runtime against the shared conformance cases (tests/conformance/logic.json).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { logicState, plain } from '../../static/js/logic.js'

const { cases } = JSON.parse(readFileSync(new URL('../conformance/logic.json', import.meta.url), 'utf8'))

function caseDefinition (c) {
  return { schemaVersion: 1, title: c.name, sections: c.sections || [{ key: 's', title: 'S', items: c.items }] }
}

for (const c of cases) {
  test(c.name, () => {
    const state = logicState(caseDefinition(c), c.answers, c.machine || {})
    assert.deepEqual([...state.visible].sort(), [...c.expect.visible].sort())
    assert.deepEqual([...state.required].sort(), [...c.expect.required].sort())
    assert.deepEqual([...state.failIf].sort(), [...c.expect.failIf].sort())
    for (const [key, expected] of Object.entries(c.expect.computed)) {
      assert.ok(key in state.computed, `computed ${key} missing`)
      assert.deepEqual(plain(state.computed[key]), expected, `computed ${key}`)
    }
  })
}
