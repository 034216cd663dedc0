/* The workbench's form builder: a user task's form as a list of fields added from a palette (text,
   number, date, choice with options, yes/no, table of rows, signature, photo/file upload), each with
   its key, title in 中文 and English, required and help text; a look-up of a customer, a unit or a
   technician ("x-lookup", with the fields a pick fills); "shown only when" another field has a value
   ("x-visible-if", json-editor's dependencies: a field required while shown is written as an allOf
   if/then, as the server checks it: app/services/tasks/forms.py). It edits the JSON Schema itself (the
   JSON Schema tab shows it): fields it does not know are kept as they are and listed by key.
   No json-schema form builder on npm fits here (form-js writes its own format, the JSON Schema ones
   are React components); this one writes only the keywords form-render.js shows. */
(function () {
  'use strict'
  const KINDS = ['text', 'number', 'date', 'choice', 'yesno', 'table', 'signature', 'photo', 'file', 'customer', 'unit', 'technician']
  const LOOKUPS = ['customer', 'unit', 'technician']
  const VISIBLE_IF = 'x-visible-if'
  const EMPTY = [false, 0, '', null, []] // json-editor's "no value"
  const TEMPLATES = {
    text: () => ({ type: 'string', maxLength: 200 }),
    number: () => ({ type: 'number' }),
    date: () => ({ type: 'string', format: 'date' }),
    choice: () => ({ type: 'string', enum: ['a', 'b'] }),
    yesno: () => ({ type: 'boolean' }),
    table: () => ({ type: 'array', format: 'table', items: { type: 'object', properties: { item: { type: 'string', title: 'item' } } } }),
    signature: () => ({ type: 'string', minLength: 1, 'x-widget': 'signature' }),
    photo: () => ({ type: 'string', contentMediaType: 'image/*' }),
    file: () => ({ type: 'string', contentMediaType: 'application/pdf' }),
    customer: () => ({ type: 'string', maxLength: 200, 'x-lookup': 'customer' }),
    unit: () => ({ type: 'string', maxLength: 200, 'x-lookup': 'unit' }),
    technician: () => ({ type: 'string', maxLength: 64, 'x-lookup': 'technician' })
  }

  /* The JSON Schema "if" of a field's x-visible-if, as forms.shown_when writes it on the server. */
  function shownWhen (when) {
    const properties = {}
    for (const [name, value] of Object.entries(when)) {
      if (value === true) properties[name] = { not: { enum: EMPTY } }
      else if (value === false) properties[name] = { enum: EMPTY }
      else if (Array.isArray(value)) properties[name] = { enum: value }
      else properties[name] = { const: value }
    }
    return { properties, required: Object.keys(when).sort() }
  }

  const isObject = (v) => Boolean(v) && typeof v === 'object' && !Array.isArray(v)

  /* The allOf items the builder writes, "field is required while shown", carry this $comment (JSON
     Schema's own, ignored by validators), so hand-written if/then items are never taken for them. */
  const MARK = 'required while shown (form builder)'
  function requiredWhileShown (item) {
    return isObject(item) && item.$comment === MARK && isObject(item.then) && Array.isArray(item.then.required)
      ? item.then.required[0]
      : null
  }

  function kindOf (field) {
    if (!field || typeof field !== 'object') return null
    if (LOOKUPS.includes(field['x-lookup'])) return field['x-lookup']
    if (field['x-widget'] === 'signature') return 'signature'
    if (typeof field.contentMediaType === 'string') return field.contentMediaType.startsWith('image/') ? 'photo' : 'file'
    if (field.type === 'boolean') return 'yesno'
    if (field.type === 'array' && field.items && field.items.type === 'object') return 'table'
    if (Array.isArray(field.enum)) return 'choice'
    if (field.type === 'string' && field.format === 'date') return 'date'
    if (field.type === 'number' || field.type === 'integer') return 'number'
    if (field.type === 'string') return 'text'
    return null
  }

  function splitTitle (title) {
    const parts = (title || '').split(' / ')
    return parts.length === 2 ? parts : [title || '', '']
  }

  function joinTitle (chinese, english) {
    chinese = chinese.trim()
    english = english.trim()
    return chinese && english ? `${chinese} / ${english}` : chinese || english
  }

  function list (text) {
    return text.split(',').map((v) => v.trim()).filter(Boolean)
  }

  function element (tag, attrs = {}, ...children) {
    const node = document.createElement(tag)
    for (const [key, value] of Object.entries(attrs)) {
      if (key === 'text') node.textContent = value
      else if (key in node && typeof value !== 'string') node[key] = value
      else node.setAttribute(key, value)
    }
    node.append(...children)
    return node
  }

  /* Render the builder of ``schema`` into ``box``; ``changed(schema)`` after each edit. */
  function render (box, schema, { strings, changed, readOnly }) {
    const S = strings
    schema.properties = schema.properties && typeof schema.properties === 'object' ? schema.properties : {}
    const required = () => (Array.isArray(schema.required) ? schema.required : [])
    const allOf = () => (Array.isArray(schema.allOf) ? schema.allOf : [])
    const isRequired = (key) => required().includes(key) || allOf().some((item) => requiredWhileShown(item) === key)
    const conditionOf = (key) => {
      const when = schema.properties[key] && schema.properties[key][VISIBLE_IF]
      return isObject(when) && Object.keys(when).length ? when : null
    }

    /* Each field required while shown as an allOf if/then of its condition, the others in "required";
       a condition on a field that is gone is dropped. */
    function syncConditions (wanted) {
      for (const [key, field] of Object.entries(schema.properties)) {
        const when = conditionOf(key)
        if (when && Object.keys(when).some((other) => !(other in schema.properties) || other === key)) delete field[VISIBLE_IF]
      }
      const keys = Object.keys(schema.properties).filter((key) => wanted.has(key))
      schema.allOf = allOf().filter((item) => !requiredWhileShown(item))
      schema.required = keys.filter((key) => !conditionOf(key))
      for (const key of keys.filter(conditionOf)) {
        schema.allOf.push({ $comment: MARK, if: shownWhen(conditionOf(key)), then: { required: [key] } })
      }
      if (!schema.allOf.length) delete schema.allOf
    }

    const commit = (wanted) => {
      syncConditions(wanted || new Set(Object.keys(schema.properties).filter(isRequired)))
      if (!required().length) delete schema.required
      changed(schema)
      draw()
    }

    function uniqueKey (kind) {
      let n = 1
      while (`${kind}_${n}` in schema.properties) n++
      return `${kind}_${n}`
    }

    function add (kind) {
      const key = uniqueKey(kind)
      schema.properties[key] = { ...TEMPLATES[kind](), title: `${S.kinds[kind]} / ${kind}` }
      commit()
      const row = box.querySelector(`[data-key="${key}"] .fb-key`)
      if (row) row.focus()
    }

    function rename (from, to) {
      to = to.trim()
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(to) || to in schema.properties) return draw()
      const wanted = new Set(Object.keys(schema.properties).filter(isRequired).map((k) => (k === from ? to : k)))
      schema.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k === from ? to : k, v]))
      for (const field of Object.values(schema.properties)) {
        const when = isObject(field) && field[VISIBLE_IF]
        if (isObject(when) && from in when) field[VISIBLE_IF] = Object.fromEntries(Object.entries(when).map(([k, v]) => [k === from ? to : k, v]))
      }
      commit(wanted)
    }

    function move (key, step) {
      const entries = Object.entries(schema.properties)
      const at = entries.findIndex(([k]) => k === key)
      const to = at + step
      if (to < 0 || to >= entries.length) return
      ;[entries[at], entries[to]] = [entries[to], entries[at]]
      schema.properties = Object.fromEntries(entries)
      commit()
    }

    function remove (key) {
      const wanted = new Set(Object.keys(schema.properties).filter((k) => k !== key && isRequired(k)))
      delete schema.properties[key]
      commit(wanted)
    }

    /* "Shown only when": another field and its value (a yes/no's yes or no, a choice's option, or
       any value); the value typed for a number field is a number. */
    function conditionRow (key, field) {
      const when = conditionOf(key)
      const [other, value] = when ? Object.entries(when)[0] : ['', true]
      const others = Object.entries(schema.properties).filter(([k, f]) => k !== key && kindOf(f) && !['table', 'signature', 'photo', 'file'].includes(kindOf(f)))
      const pick = element('select', { class: 'fb-when-field', 'aria-label': S.shownWhen })
      pick.append(new Option(S.always, ''), ...others.map(([k]) => new Option(k, k)))
      pick.value = other
      const box = element('span', { class: 'fb-when' }, element('span', { class: 'fb-sub', text: S.shownWhen }), ' ', pick)
      const set = (v) => {
        const wanted = new Set(Object.keys(schema.properties).filter(isRequired))
        if (pick.value) field[VISIBLE_IF] = { [pick.value]: v }
        else delete field[VISIBLE_IF]
        commit(wanted)
      }
      pick.addEventListener('change', () => set(true))
      if (other && schema.properties[other]) {
        const otherField = schema.properties[other]
        const kind = kindOf(otherField)
        let input
        if (kind === 'yesno' || kind === 'choice') {
          input = element('select', { class: 'fb-when-value', 'aria-label': S.whenValue })
          const choices = kind === 'yesno' ? [['true', S.yes], ['false', S.no]] : [['', S.anyValue], ...otherField.enum.map((v) => [JSON.stringify(v), String(v)])]
          input.append(...choices.map(([v, text]) => new Option(text, v)))
          input.value = kind === 'yesno' ? String(value) : value === true ? '' : JSON.stringify(value)
          input.addEventListener('change', () => set(input.value === '' ? true : JSON.parse(input.value)))
        } else {
          input = element('input', { class: 'fb-when-value', value: value === true ? '' : String(value), placeholder: S.anyValue, 'aria-label': S.whenValue })
          input.addEventListener('change', () => {
            const typed = input.value.trim()
            const number = kind === 'number' && typed !== '' && !Number.isNaN(Number(typed))
            set(typed === '' ? true : number ? Number(typed) : typed)
          })
        }
        box.append(' = ', input)
      }
      return box
    }

    function fillsRow (field) {
      const text = Object.entries(isObject(field['x-fills']) ? field['x-fills'] : {}).map(([f, r]) => `${f}=${r}`).join(', ')
      const input = element('input', { class: 'fb-fills', value: text, placeholder: 'address=address', 'aria-label': S.fills, spellcheck: 'false' })
      input.addEventListener('change', () => {
        const pairs = list(input.value).map((pair) => pair.split('=').map((p) => p.trim())).filter(([f, r]) => f && r)
        if (pairs.length) field['x-fills'] = Object.fromEntries(pairs)
        else delete field['x-fills']
        commit()
      })
      return [element('label', { class: 'fb-sub', text: S.fills }), input]
    }

    function fieldRow (key, field) {
      const kind = kindOf(field)
      const row = element('li', { class: 'fb-field', 'data-key': key, 'data-kind': kind || 'other' })
      const head = element('div', { class: 'fb-head' },
        element('strong', { class: 'fb-kind', text: kind ? S.kinds[kind] : S.other }))
      const keyInput = element('input', { class: 'fb-key', value: key, spellcheck: 'false', 'aria-label': S.key })
      keyInput.addEventListener('change', () => rename(key, keyInput.value))
      head.append(' ', keyInput)
      if (!readOnly) {
        for (const [label, action] of [['↑', () => move(key, -1)], ['↓', () => move(key, 1)], ['✕', () => remove(key)]]) {
          const button = element('button', { type: 'button', class: 'fb-tool', text: label, title: label === '✕' ? S.remove : S.move })
          button.addEventListener('click', action)
          head.append(button)
        }
      }
      row.append(head)
      if (!kind) return row
      const [zh, en] = splitTitle(field.title)
      const titleZh = element('input', { class: 'fb-title-zh', value: zh, lang: 'zh-Hans', 'aria-label': S.titleZh, placeholder: S.titleZh })
      const titleEn = element('input', { class: 'fb-title-en', value: en, lang: 'en', 'aria-label': S.titleEn, placeholder: S.titleEn })
      const setTitle = () => { field.title = joinTitle(titleZh.value, titleEn.value); commit() }
      titleZh.addEventListener('change', setTitle)
      titleEn.addEventListener('change', setTitle)
      const help = element('input', { class: 'fb-help', value: field.description || '', 'aria-label': S.help, placeholder: S.help })
      help.addEventListener('change', () => {
        if (help.value.trim()) field.description = help.value.trim()
        else delete field.description
        commit()
      })
      const requiredBox = element('input', { type: 'checkbox', class: 'fb-required', checked: isRequired(key) })
      requiredBox.addEventListener('change', () => {
        const wanted = new Set(Object.keys(schema.properties).filter((k) => k !== key && isRequired(k)))
        if (requiredBox.checked) wanted.add(key)
        commit(wanted)
      })
      row.append(element('div', { class: 'fb-titles' }, titleZh, titleEn), help,
        element('label', { class: 'fb-check' }, requiredBox, ' ', conditionOf(key) ? S.requiredWhileShown : S.required),
        conditionRow(key, field))
      if (LOOKUPS.includes(kind)) row.append(...fillsRow(field))
      if (kind === 'choice') {
        const options = element('input', { class: 'fb-options', value: field.enum.join(', '), 'aria-label': S.options, placeholder: S.options })
        options.addEventListener('change', () => { field.enum = list(options.value); commit() })
        row.append(element('label', { class: 'fb-sub', text: S.options }), options)
      }
      if (kind === 'table') {
        const columns = Object.keys(field.items.properties || {})
        const input = element('input', { class: 'fb-columns', value: columns.join(', '), 'aria-label': S.columns, placeholder: S.columns })
        input.addEventListener('change', () => {
          const old = field.items.properties || {}
          field.items.properties = Object.fromEntries(list(input.value).map((c) => [c, old[c] || { type: 'string', title: c }]))
          commit()
        })
        row.append(element('label', { class: 'fb-sub', text: S.columns }), input)
      }
      if (kind === 'photo' || kind === 'file') {
        const type = element('input', { class: 'fb-media', value: field.contentMediaType, 'aria-label': 'contentMediaType' })
        type.addEventListener('change', () => { field.contentMediaType = type.value.trim() || 'image/*'; commit() })
        row.append(element('label', { class: 'fb-sub', text: 'contentMediaType' }), type)
      }
      return row
    }

    function draw () {
      const palette = element('div', { class: 'fb-palette', role: 'toolbar', 'aria-label': S.palette })
      for (const kind of KINDS) {
        const button = element('button', { type: 'button', class: 'fb-add', 'data-kind': kind, text: `+ ${S.kinds[kind]}` })
        button.addEventListener('click', () => add(kind))
        palette.append(button)
      }
      const fields = element('ol', { class: 'fb-fields' })
      for (const [key, field] of Object.entries(schema.properties)) fields.append(fieldRow(key, field))
      if (!fields.children.length) fields.append(element('li', { class: 'muted', text: S.empty }))
      box.replaceChildren(...(readOnly ? [] : [palette]), fields)
      if (readOnly) for (const input of box.querySelectorAll('input, select')) input.disabled = true
    }

    draw()
  }

  window.FormBuilder = { render, kindOf }
})()
