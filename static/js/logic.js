// The browser half of Gemba's one logic engine (forms/engine.py is authoritative).
// Same CEL expressions, same evaluation order, same fallbacks; tests/conformance/logic.json
// holds the cases both implementations must agree on.
import { parse } from '../vendor/cel-js/index.js'

const compiled = new Map()

function program (source) {
  let entry = compiled.get(source)
  if (!entry) {
    try {
      entry = { fn: parse(source) }
    } catch (error) {
      entry = { error }
    }
    compiled.set(source, entry)
  }
  return entry
}

// Run an expression; a parse or run-time failure yields `fallback` (as in Python).
function run (source, context, fallback) {
  const entry = program(source)
  if (entry.error) return fallback
  try {
    return entry.fn(context)
  } catch (error) {
    return fallback
  }
}

function condition (source, context, fallback) {
  if (!source) return fallback
  const value = run(source, context, undefined)
  return value === undefined ? fallback : value === true
}

// What `answers.<key>` holds for an item, by item type (mirrors ItemType.logic_value).
export function logicValue (item, envelope) {
  if (!envelope || typeof envelope !== 'object') return null
  const value = envelope.value
  if (item.type === 'repeat') {
    const rows = Array.isArray(value) ? value : []
    return rows.map(row => Object.fromEntries(item.items.map(child => [child.key, logicValue(child, row && row[child.key])])))
  }
  if (value === null || value === undefined || item.type === 'computed' || item.type === 'instruction') return null
  switch (item.type) {
    case 'number':
    case 'tag_reading':
      return Number(value) // CEL double, like Python float()
    case 'photo':
      return BigInt(value.length) // CEL int, like Python len()
    case 'signature':
      return true
    default:
      return value
  }
}

function scalar (value) {
  if (value === null || value === undefined) return null
  if (typeof value === 'number' && !Number.isFinite(value)) return null // like Python: not JSON
  if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value
  return null
}

// Steps 1–3 of forms/engine.py: visibility, computed values, requiredIf and failIf.
export function logicState (definition, answers, machine = {}) {
  const items = definition.sections.flatMap(section => section.items)
  const values = Object.fromEntries(items.map(item => [item.key, logicValue(item, answers[item.key])]))
  const context = { answers: values, machine: { ...machine } }
  const visible = new Set()
  const computed = {}
  for (const section of definition.sections) {
    const sectionVisible = condition(section.visibleIf, context, true)
    for (const item of section.items) {
      if (!(sectionVisible && condition(item.visibleIf, context, true))) {
        values[item.key] = null
        continue
      }
      visible.add(item.key)
      if (item.type === 'computed') {
        const result = scalar(run(item.expression, context, null))
        computed[item.key] = result
        values[item.key] = result
      }
    }
  }
  const required = new Set()
  const failIf = new Set()
  for (const item of items) {
    if (!visible.has(item.key)) continue
    if (item.required || condition(item.requiredIf, context, false)) required.add(item.key)
    if (item.failIf && isAnswered(item, answers[item.key], computed) && condition(item.failIf, context, false)) failIf.add(item.key)
  }
  return { visible, required, computed, failIf }
}

function isAnswered (item, envelope, computed) {
  if (item.type === 'computed') return computed[item.key] !== null && computed[item.key] !== undefined
  const value = envelope && envelope.value
  if (value === null || value === undefined || value === '') return false
  if (Array.isArray(value) && value.length === 0) return false
  if (item.type === 'passfail' && (value === 'na' || value === 'not_reviewed')) return false
  return !(typeof value === 'string' && item.type === 'text' && value.trim() === '')
}

// JSON-friendly copy of a computed value (BigInt → Number).
export function plain (value) {
  return typeof value === 'bigint' ? Number(value) : value
}
