// Tablet runtime of the audit page: live logic (same CEL rules as the server), autosave,
// photos, signatures, repeat rows and submit with per-item messages.
import { logicState, plain } from './logic.js'
import SignaturePad from '../vendor/signature_pad/signature_pad.js'

const form = document.getElementById('audit-answers')
const definition = JSON.parse(document.getElementById('definition-data').textContent)
let draft = JSON.parse(document.getElementById('draft-data').textContent) || {}
const machineData = JSON.parse(document.getElementById('machine-data').textContent) || {}
// What the rules see as machine.<role>: good, fresh values only (as on the server).
// int roles are CEL ints (BigInt in cel-js), like Python ints on the server.
const machine = Object.fromEntries(Object.entries(machineData).filter(([, v]) => v.usable)
  .map(([role, v]) => [role, v.datatype === 'int' ? BigInt(v.value) : v.value]))
const csrf = document.querySelector('meta[name="csrf-token"]').content
const saveState = document.querySelector('[data-save-state]')
const summary = form.querySelector('[data-summary]')
const backupKey = `gemba-draft-${form.dataset.audit}`
const topItems = definition.sections.flatMap(section => section.items)
const byKey = Object.fromEntries(topItems.map(item => [item.key, item]))
const pads = new Map()
let revision = Number(form.dataset.revision)
let rowCounter = 0

// ---- reading and writing one item's answer ------------------------------------------
function fieldValue (el, item) {
  const inputs = [...el.querySelectorAll(':scope > .segmented input, :scope > .options input, :scope > .number-row input, :scope > input, :scope > textarea')]
    .filter(input => input.dataset.field === 'value')
  switch (item.type) {
    case 'passfail':
    case 'choice': {
      const checked = inputs.find(input => input.checked)
      return checked ? checked.value : null
    }
    case 'multichoice': {
      const values = inputs.filter(input => input.checked).map(input => input.value)
      return values.length ? values : null
    }
    case 'number':
    case 'tag_reading': {
      const raw = inputs[0] && inputs[0].value.trim()
      return raw ? Number(raw) : null
    }
    case 'photo': {
      const list = el.querySelector(':scope > [data-photo-list]')
      const photos = JSON.parse(list.dataset.photos || '[]')
      return photos.length ? photos : null
    }
    case 'signature':
      return el.querySelector('[data-signature]').dataset.sha || null
    default: {
      const raw = inputs[0] ? inputs[0].value : ''
      return raw.trim() ? raw : null
    }
  }
}

function readEnvelope (el, item) {
  const envelope = {}
  const value = fieldValue(el, item)
  if (value !== null) envelope.value = value
  const tagInput = item.type === 'tag_reading' ? el.querySelector('input[data-role]') : null
  const shown = tagInput && machineData[tagInput.dataset.role]
  if (shown && shown.usable) envelope.machine = { value: shown.value, quality: shown.quality, age: shown.age }
  const extras = el.querySelector(':scope > [data-fail-extras]')
  if (extras) {
    const comment = extras.querySelector('[data-field="comment"]').value
    if (comment.trim()) envelope.comment = comment
    const kind = extras.querySelector('[data-field="reaction"]:checked')
    if (kind) {
      const note = extras.querySelector('[data-field="reaction_note"]').value
      envelope.reaction = note.trim() ? { kind: kind.value, note } : { kind: kind.value }
    }
    const photos = JSON.parse(extras.querySelector('[data-photo-list]').dataset.photos || '[]')
    if (photos.length) envelope.photos = photos
  }
  return envelope
}

function writeEnvelope (el, item, envelope) {
  if (!envelope) return
  const value = envelope.value
  for (const input of el.querySelectorAll('[data-field="value"]')) {
    if (input.type === 'radio') input.checked = input.value === value
    else if (input.type === 'checkbox') input.checked = Array.isArray(value) && value.includes(input.value)
    else if (value !== null && value !== undefined) input.value = value
  }
  if (item.type === 'photo' && Array.isArray(value)) setPhotos(el.querySelector(':scope > [data-photo-list]'), value)
  if (item.type === 'signature' && value) showSavedSignature(el, value)
  const hasDetails = envelope.comment || envelope.reaction || (envelope.photos && envelope.photos.length)
  const extras = hasDetails ? ensureExtras(el) : null
  if (extras) {
    if (envelope.comment) extras.querySelector('[data-field="comment"]').value = envelope.comment
    if (envelope.reaction) {
      for (const radio of extras.querySelectorAll('[data-field="reaction"]')) radio.checked = radio.value === envelope.reaction.kind
      extras.querySelector('[data-field="reaction_note"]').value = envelope.reaction.note || ''
    }
    if (envelope.photos) setPhotos(extras.querySelector('[data-photo-list]'), envelope.photos)
  }
}

function itemElement (key) {
  return form.querySelector(`.item[data-key="${CSS.escape(key)}"]:not(.repeat-row .item)`)
}

function collect () {
  const answers = {}
  for (const item of topItems) {
    if (item.type === 'instruction' || item.type === 'computed') continue
    const el = itemElement(item.key)
    if (item.type === 'repeat') {
      const rows = [...el.querySelectorAll(':scope > [data-rows] > [data-row]')].map(row => {
        const values = {}
        for (const child of item.items) {
          const childEl = row.querySelector(`.item[data-key="${CSS.escape(child.key)}"]`)
          const envelope = readEnvelope(childEl, child)
          if (Object.keys(envelope).length) values[child.key] = envelope
        }
        return values
      })
      if (rows.length) answers[item.key] = { value: rows }
      continue
    }
    const envelope = readEnvelope(el, item)
    if (Object.keys(envelope).length) answers[item.key] = envelope
  }
  return answers
}

// ---- live state: visibility, required marks, computed values, fail details, progress ----
function looksFailed (el, item, envelope) {
  const value = envelope.value
  if (value === undefined || value === null) return false
  if (item.type === 'passfail') return value === 'fail'
  if (item.type === 'number' || item.type === 'tag_reading') {
    const input = el.querySelector('.number-input')
    const lower = input.dataset.lower; const upper = input.dataset.upper
    return (lower !== undefined && value < Number(lower)) || (upper !== undefined && value > Number(upper))
  }
  if (item.type === 'choice' || item.type === 'multichoice') {
    const chosen = [].concat(value)
    return [...el.querySelectorAll('[data-fails]')].some(input => chosen.includes(input.value))
  }
  return false
}

function refresh () {
  const answers = collect()
  const state = logicState(definition, answers, machine)
  let total = 0; let done = 0
  for (const item of topItems) {
    const el = itemElement(item.key)
    const visible = state.visible.has(item.key)
    el.hidden = !visible
    const mark = el.querySelector(':scope > .item-head .req-mark')
    if (mark) mark.hidden = !state.required.has(item.key)
    if (item.type === 'computed') {
      const output = el.querySelector('[data-computed]')
      const value = plain(state.computed[item.key])
      const decimals = output.dataset.decimals
      output.textContent = value === null || value === undefined ? '—' : (typeof value === 'number' && decimals !== undefined ? value.toFixed(Number(decimals)) : String(value))
      el.classList.toggle('is-failed', state.failIf.has(item.key))
      continue
    }
    if (item.type === 'instruction') continue
    if (visible) { total += 1; if (isFilled(item, answers[item.key])) done += 1 }
    if (item.type === 'repeat') {
      for (const row of el.querySelectorAll(':scope > [data-rows] > [data-row]')) {
        for (const child of item.items) {
          const childEl = row.querySelector(`.item[data-key="${CSS.escape(child.key)}"]`)
          showFailExtras(childEl, looksFailed(childEl, child, readEnvelope(childEl, child)))
        }
      }
      continue
    }
    const envelope = answers[item.key] || {}
    showFailExtras(el, looksFailed(el, item, envelope) || state.failIf.has(item.key))
  }
  form.ownerDocument.querySelector('[data-progress-text]').textContent = `${done} of ${total} answered`
  form.ownerDocument.querySelector('[data-progress-fill]').style.width = total ? `${Math.round(100 * done / total)}%` : '0%'
  return answers
}

function isFilled (item, envelope) {
  if (!envelope || envelope.value === undefined) return false
  if (item.type === 'repeat') return envelope.value.some(row => Object.keys(row).length > 0)
  return true
}

function showFailExtras (el, failed) {
  el.classList.toggle('is-failed', failed)
  const extras = failed ? ensureExtras(el) : el.querySelector(':scope > [data-fail-extras]')
  if (extras) extras.hidden = !failed
}

// The comment/reaction/photo block of an item, cloned from the page's single template.
function ensureExtras (el) {
  let extras = el.querySelector(':scope > [data-fail-extras]')
  if (extras) return extras
  const template = document.getElementById('fail-extras-template')
  const html = template.innerHTML.replaceAll('__NAME__', el.dataset.name)
  el.querySelector(':scope > [data-error]').insertAdjacentHTML('beforebegin', html)
  extras = el.querySelector(':scope > [data-fail-extras]')
  const required = (el.dataset.onFail || '').split(' ').filter(Boolean)
  if (required.length) extras.querySelector('[data-fail-title]').textContent = `Not OK — required: ${required.join(', ')}`
  return extras
}

// ---- autosave ------------------------------------------------------------------------------
let saveTimer = null
let saving = Promise.resolve()

function setSaveState (text, kind) {
  saveState.textContent = text
  saveState.dataset.kind = kind
}

function keepBackup () {
  try {
    localStorage.setItem(backupKey, JSON.stringify({ answers: collect(), revision, savedToServer: false }))
  } catch (error) { /* storage full or denied: the server copy remains */ }
}

// The server confirmed `sent`; only if nothing was typed meanwhile is the tablet copy "saved".
function markBackupSaved (sent) {
  const now = collect()
  const unchanged = JSON.stringify(now) === JSON.stringify(sent)
  try {
    localStorage.setItem(backupKey, JSON.stringify({ answers: now, revision, savedToServer: unchanged }))
  } catch (error) { /* ignore */ }
}

// Answers typed while the server could not be reached, newer than the server's draft.
function unsavedBackup () {
  try {
    const backup = JSON.parse(localStorage.getItem(backupKey) || 'null')
    if (backup && !backup.savedToServer && backup.revision >= revision && backup.answers) return backup.answers
  } catch (error) { /* a damaged backup is ignored */ }
  return null
}

function scheduleSave () {
  keepBackup()
  clearTimeout(saveTimer)
  setSaveState('Changes not saved yet…', 'pending')
  saveTimer = setTimeout(() => { saving = save() }, 1200)
}

async function save () {
  const answers = collect()
  try {
    const response = await api(form.dataset.draftUrl, 'PUT', { answers, revision })
    if (response.ok) {
      revision = (await response.json()).draft_revision
      markBackupSaved(answers)
      setSaveState(`Saved ${new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`, 'saved')
    } else if (response.status === 409) {
      setSaveState('Saved on another device. Reload the page to continue there.', 'error')
    } else {
      setSaveState('Could not save; retrying…', 'error')
      saveTimer = setTimeout(() => { saving = save() }, 5000)
    }
  } catch (error) {
    setSaveState('Offline — answers are kept on this tablet and saved when back online.', 'error')
    saveTimer = setTimeout(() => { saving = save() }, 5000)
  }
}

function api (url, method, body) {
  return fetch(url, {
    method,
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': csrf },
    body: JSON.stringify(body)
  })
}

// ---- photos and signatures --------------------------------------------------------------
function setPhotos (list, photos) {
  list.dataset.photos = JSON.stringify(photos)
  const thumbs = list.querySelector('[data-thumbs]')
  thumbs.replaceChildren(...photos.map(sha => {
    const li = document.createElement('li')
    const img = document.createElement('img')
    img.src = form.dataset.evidenceBase + sha
    img.alt = 'Photo'
    const remove = document.createElement('button')
    remove.type = 'button'
    remove.className = 'button button-quiet thumb-remove'
    remove.textContent = 'Remove'
    remove.addEventListener('click', () => { setPhotos(list, JSON.parse(list.dataset.photos).filter(s => s !== sha)); refresh(); scheduleSave() })
    li.append(img, remove)
    return li
  }))
}

async function upload (blob, kind) {
  const body = new FormData()
  body.append('kind', kind)
  body.append('file', blob, kind === 'signature' ? 'signature.png' : (blob.name || 'photo.jpg'))
  const response = await fetch(form.dataset.evidenceUrl, { method: 'POST', body, credentials: 'same-origin', headers: { 'X-CSRFToken': csrf, Accept: 'application/json' } })
  const json = await response.json()
  if (!response.ok) throw new Error(json.detail || 'Upload failed')
  return json.sha256
}

function errorSlot (input) {
  return input.closest('.item').querySelector(':scope > [data-error]')
}

async function onPhotoInput (input) {
  const list = input.closest('[data-photo-list]')
  const slot = errorSlot(input)
  slot.textContent = 'Uploading…'
  try {
    const photos = JSON.parse(list.dataset.photos || '[]')
    for (const file of input.files) {
      const sha = await upload(file, 'photo')
      if (!photos.includes(sha)) photos.push(sha)
    }
    setPhotos(list, photos.slice(0, Number(list.dataset.max || 10)))
    slot.textContent = ''
  } catch (error) {
    slot.textContent = error.message
  }
  input.value = ''
  refresh(); scheduleSave()
}

function setUpSignature (field) {
  const canvas = field.querySelector('canvas')
  const ratio = Math.max(window.devicePixelRatio || 1, 1)
  const width = canvas.getBoundingClientRect().width || 600
  canvas.width = width * ratio
  canvas.height = 200 * ratio
  canvas.getContext('2d').scale(ratio, ratio)
  const pad = new SignaturePad(canvas, { backgroundColor: 'rgb(255,255,255)' })
  pads.set(field, pad)
  const stateText = field.querySelector('[data-signature-state]')
  let timer = null
  pad.addEventListener('endStroke', () => {
    clearTimeout(timer)
    stateText.textContent = 'Saving signature…'
    timer = setTimeout(() => {
      canvas.toBlob(async blob => {
        try {
          field.dataset.sha = await upload(blob, 'signature')
          stateText.textContent = 'Signed ✓'
        } catch (error) {
          stateText.textContent = error.message
        }
        refresh(); scheduleSave()
      }, 'image/png')
    }, 500)
  })
  field.querySelector('[data-signature-clear]').addEventListener('click', () => {
    pad.clear()
    delete field.dataset.sha
    stateText.textContent = 'Sign with a finger or stylus.'
    refresh(); scheduleSave()
  })
}

function showSavedSignature (el, sha) {
  const field = el.querySelector('[data-signature]')
  field.dataset.sha = sha
  field.querySelector('[data-signature-state]').textContent = 'Signed ✓ (saved)'
  const pad = pads.get(field)
  if (pad) pad.fromDataURL(form.dataset.evidenceBase + sha, { ratio: 1 }).catch(() => {})
}

// ---- repeat rows ----------------------------------------------------------------------------
function addRow (group, envelopeRow) {
  const item = byKey[group.dataset.key]
  const rows = group.querySelector(':scope > [data-rows]')
  if (rows.children.length >= Number(group.dataset.maxRows)) return null
  const token = `r${rowCounter++}`
  const fragment = group.querySelector(':scope > template').content.cloneNode(true)
  for (const node of fragment.querySelectorAll('[id], [for], [name], [data-name]')) {
    for (const attr of ['id', 'for', 'name', 'data-name']) {
      if (node.hasAttribute(attr)) node.setAttribute(attr, node.getAttribute(attr).replaceAll('__ROW__', token))
    }
  }
  const row = fragment.querySelector('[data-row]')
  rows.append(fragment)
  for (const field of row.querySelectorAll('[data-signature]')) setUpSignature(field)
  row.querySelector('[data-remove-row]').addEventListener('click', () => { row.remove(); renumber(group); refresh(); scheduleSave() })
  if (envelopeRow) {
    for (const child of item.items) writeEnvelope(row.querySelector(`.item[data-key="${CSS.escape(child.key)}"]`), child, envelopeRow[child.key])
  }
  renumber(group)
  return row
}

function renumber (group) {
  const rows = group.querySelectorAll(':scope > [data-rows] > [data-row]')
  rows.forEach((row, index) => { row.querySelector('[data-row-number]').textContent = String(index + 1) })
  group.querySelector(':scope > [data-add-row]').disabled = rows.length >= Number(group.dataset.maxRows)
}

// ---- submit -----------------------------------------------------------------------------------
function clearErrors () {
  for (const slot of form.querySelectorAll('[data-error]')) slot.textContent = ''
  for (const el of form.querySelectorAll('.has-error')) el.classList.remove('has-error')
  summary.hidden = true
  summary.replaceChildren()
}

function elementForPointer (pointer) {
  const parts = pointer.split('/').slice(2) // ["key", ...]
  const item = byKey[parts[0]]
  if (!item) return null
  const el = itemElement(parts[0])
  if (item.type === 'repeat' && parts[1] === 'value' && parts[2] !== undefined) {
    const row = el.querySelectorAll(':scope > [data-rows] > [data-row]')[Number(parts[2])]
    const child = row && parts[3] && row.querySelector(`.item[data-key="${CSS.escape(parts[3])}"]`)
    return child || el
  }
  return el
}

function showErrors (errors) {
  clearErrors()
  const targets = []
  for (const error of errors) {
    const el = elementForPointer(error.pointer) || form
    const slot = el.querySelector(':scope > [data-error]')
    if (slot) slot.textContent = slot.textContent ? `${slot.textContent} ${error.message}` : error.message
    el.classList.add('has-error')
    if (/\/(comment|photos|reaction)$/.test(error.pointer)) showFailExtras(el, true)
    if (!targets.includes(el)) targets.push(el)
  }
  const heading = document.createElement('p')
  heading.textContent = `${targets.length} item${targets.length === 1 ? '' : 's'} need${targets.length === 1 ? 's' : ''} attention before submitting.`
  summary.append(heading)
  summary.hidden = false
  const first = targets[0]
  if (first) {
    first.scrollIntoView({ behavior: 'smooth', block: 'center' })
    const focusable = first.querySelector('input:not([type=hidden]), textarea, button')
    if (focusable) focusable.focus({ preventScroll: true })
  }
}

async function submit (event) {
  event.preventDefault()
  const button = form.querySelector('button[type=submit]')
  if (button.disabled) return // a double tap while the first submit is on its way
  button.disabled = true
  button.textContent = 'Submitting…'
  clearTimeout(saveTimer)
  await saving
  try {
    const response = await api(form.dataset.submitUrl, 'POST', { answers: refresh() })
    const body = await response.json()
    if (response.ok) {
      try { localStorage.removeItem(backupKey) } catch (error) { /* ignore */ }
      window.location.assign(body.links.page)
      return
    }
    showErrors(body.errors && body.errors.length ? body.errors : [{ pointer: '', message: body.detail }])
    if (!body.errors || !body.errors.length) { summary.textContent = body.detail; summary.hidden = false }
  } catch (error) {
    summary.textContent = 'No connection. Your answers are kept; submit again when the network is back.'
    summary.hidden = false
  }
  button.disabled = false
  button.textContent = 'Submit audit'
}

// ---- live machine values -----------------------------------------------------------------------
function showMachineReadings () {
  for (const input of form.querySelectorAll('input[data-role]')) {
    const reading = machineData[input.dataset.role]
    const note = input.closest('.item').querySelector('[data-machine-reading]')
    if (!reading) continue
    const age = reading.age === null ? '' : ` · ${Math.round(reading.age)} s ago`
    note.textContent = `Machine: ${reading.value === null ? '—' : reading.value} ${reading.unit} · ${reading.quality}${reading.stale ? ' · stale' : ''}${age}`
    note.classList.toggle('is-usable', reading.usable)
    if (input.dataset.prefill && reading.usable && input.value === '' && typeof reading.value === 'number') {
      input.value = String(reading.value)
      input.dataset.prefilled = '1'
      note.textContent += ' — filled in; correct it if the display shows something else'
    }
  }
  refresh()
}

// ---- start -----------------------------------------------------------------------------------
function start () {
  const backup = unsavedBackup()
  const restored = backup !== null
  if (restored) draft = backup
  for (const field of form.querySelectorAll('.item:not(.repeat-row .item) > [data-signature]')) setUpSignature(field)
  for (const item of topItems) {
    const el = itemElement(item.key)
    if (item.type === 'repeat') {
      const rows = (draft[item.key] && Array.isArray(draft[item.key].value)) ? draft[item.key].value : []
      const count = Math.max(rows.length, Number(el.dataset.minRows) || 0, 1)
      for (let index = 0; index < count; index += 1) addRow(el, rows[index])
      el.querySelector(':scope > [data-add-row]').addEventListener('click', () => { const row = addRow(el); if (row) { refresh(); scheduleSave(); row.querySelector('input, textarea')?.focus() } })
      continue
    }
    if (item.type !== 'instruction' && item.type !== 'computed') writeEnvelope(el, item, draft[item.key])
  }
  showMachineReadings()
  form.addEventListener('input', event => { if (event.target.matches('[data-upload]')) return; refresh(); scheduleSave() })
  form.addEventListener('change', event => {
    if (event.target.matches('[data-upload]')) { onPhotoInput(event.target); return }
    refresh(); scheduleSave()
  })
  form.addEventListener('submit', submit)
  refresh()
  if (restored) {
    setSaveState('Restored answers kept on this tablet; saving…', 'pending')
    saving = save()
  } else {
    setSaveState(Object.keys(draft).length ? 'Draft restored' : 'Not saved yet', 'idle')
  }
}

start()
