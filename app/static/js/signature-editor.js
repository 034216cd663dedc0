/* json-editor editors for files: string fields with "x-widget": "signature", where the customer signs on a
   canvas (signature_pad; the value is a PNG data URL) or a scanned signature is uploaded (its data
   URL). Registered ahead of json-editor's own resolvers. Labels come from window.SignatureStrings. */
(function () {
  'use strict'
  const CANVAS_HEIGHT = 200

  class SignatureEditor extends window.DataUrlEditor {
    build () {
      const strings = window.SignatureStrings || {}
      this.buildBox('signature-box')
      this.canvas = document.createElement('canvas')
      this.canvas.className = 'signature-canvas'
      this.canvas.height = CANVAS_HEIGHT
      this.canvas.setAttribute('aria-label', strings.signHere || 'signature')
      this.preview = document.createElement('img')
      this.preview.className = 'signature-scan'
      this.preview.hidden = true
      this.preview.alt = ''
      const hint = document.createElement('p')
      hint.className = 'muted'
      hint.textContent = strings.signHere || ''
      const tools = document.createElement('div')
      tools.className = 'signature-tools'
      const clear = document.createElement('button')
      clear.type = 'button'
      clear.className = 'signature-clear'
      clear.textContent = strings.clear || 'Clear'
      const uploadLabel = document.createElement('label')
      uploadLabel.textContent = (strings.upload || 'Upload') + ' '
      this.upload = document.createElement('input')
      this.upload.type = 'file'
      this.upload.accept = 'image/png,image/jpeg,image/gif,image/webp' /* what the server accepts (attachments.py) */
      this.upload.className = 'signature-upload'
      uploadLabel.appendChild(this.upload)
      tools.append(clear, uploadLabel)
      this.box.append(this.canvas, this.preview, hint, tools)

      this.control = this.theme.getFormControl(this.label, this.box, this.description)
      this.container.appendChild(this.control)

      this.pad = new window.SignaturePad(this.canvas, { backgroundColor: 'rgb(255, 255, 255)' })
      this.pad.addEventListener('endStroke', () => {
        this.showScan(null)
        this.commit(this.pad.isEmpty() ? '' : this.pad.toDataURL('image/png'))
      })
      clear.addEventListener('click', () => {
        this.pad.clear()
        this.upload.value = ''
        this.showScan(null)
        this.commit('')
      })
      this.upload.addEventListener('change', () => this.readScan())
      if (this.schema.readOnly) this.disable(true)
    }

    postBuild () {
      super.postBuild()
      window.requestAnimationFrame(() => this.fit())
      /* A phone turned sideways: the pad takes the new width (the drawing is kept as the value). */
      this.refit = () => window.requestAnimationFrame(() => this.fit())
      window.addEventListener('resize', this.refit)
    }

    /* The canvas takes the box's width once it is laid out (resizing clears it, so redraw). */
    fit () {
      const width = this.box.clientWidth || 400
      if (this.canvas.width === width) return
      this.canvas.width = width
      this.draw(this.value)
    }

    draw (value) {
      this.pad.clear()
      if (value && value.startsWith('data:image/png') && !this.scanned) this.pad.fromDataURL(value)
    }

    showScan (dataUrl) {
      this.scanned = Boolean(dataUrl)
      this.preview.hidden = !dataUrl
      if (dataUrl) this.preview.src = dataUrl
      else this.preview.removeAttribute('src')
    }

    readScan () {
      this.readFile(this.upload, (value) => {
        this.pad.clear()
        this.showScan(value)
        this.commit(value)
      })
    }

    commit (value) {
      this.value = value
      this.input.value = value
      this.is_dirty = true
      this.onChange(true)
    }

    setValue (value) {
      value = typeof value === 'string' ? value : ''
      if (value === this.value) return
      this.value = value
      this.input.value = value
      const scan = value.startsWith('data:image/') && !value.startsWith('data:image/png')
      this.showScan(scan ? value : null)
      this.draw(value)
      this.onChange(false)
    }

    disable (alwaysDisabled) {
      if (this.pad) this.pad.off()
      if (this.upload) this.upload.disabled = true
      super.disable(alwaysDisabled)
    }

    enable () {
      if (this.always_disabled) return
      if (this.pad) this.pad.on()
      if (this.upload) this.upload.disabled = false
      super.enable()
    }

    destroy () {
      if (this.refit) window.removeEventListener('resize', this.refit)
      if (this.pad) this.pad.off()
      super.destroy()
    }
  }

  /* Fields with "contentMediaType" (a photo, a scan) are photo-editor.js's. */
  window.JSONEditor.defaults.editors.signaturePad = SignatureEditor
  window.JSONEditor.defaults.resolvers.unshift(
    (schema) => schema.type === 'string' && schema['x-widget'] === 'signature' && 'signaturePad'
  )
})()
