/* The public service request form (/request): the proof of work and the photo size check.

   The form carries a signed challenge and the number of zero bits asked for (data-challenge,
   data-bits on the form; services/cases/public_request.py). Right after the page loads this script
   looks for a nonce — a decimal counter — such that sha256(challenge + nonce) begins with that many
   zero bits (domain/proof_of_work.py checks it with one hash), in slices so the page stays usable,
   and puts it in the hidden "proof" field. A send before it is found waits for it. SHA-256 is
   written out here: crypto.subtle exists only on HTTPS pages and answers asynchronously, one hash
   at a time. Photos over the size limit (data-max-photo-bytes) are refused before sending, so a
   large file never costs the customer what they typed. No inline script: CSP. */
(function () {
  'use strict'

  const K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ])
  const W = new Uint32Array(64)
  const H = new Uint32Array(8)

  /* The first 32 bits of sha256(bytes[0..length)) (bytes has room for the padding). */
  function sha256Head (bytes, length) {
    const blocks = ((length + 9 + 63) >> 6)
    const total = blocks << 6
    bytes.fill(0, length, total)
    bytes[length] = 0x80
    const bitLength = length * 8
    bytes[total - 4] = (bitLength >>> 24) & 0xff
    bytes[total - 3] = (bitLength >>> 16) & 0xff
    bytes[total - 2] = (bitLength >>> 8) & 0xff
    bytes[total - 1] = bitLength & 0xff
    H[0] = 0x6a09e667; H[1] = 0xbb67ae85; H[2] = 0x3c6ef372; H[3] = 0xa54ff53a
    H[4] = 0x510e527f; H[5] = 0x9b05688c; H[6] = 0x1f83d9ab; H[7] = 0x5be0cd19
    for (let offset = 0; offset < total; offset += 64) {
      for (let i = 0; i < 16; i++) {
        const at = offset + i * 4
        W[i] = (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]
      }
      for (let i = 16; i < 64; i++) {
        const a = W[i - 15]
        const b = W[i - 2]
        const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3)
        const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10)
        W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0
      }
      let a = H[0]; let b = H[1]; let c = H[2]; let d = H[3]
      let e = H[4]; let f = H[5]; let g = H[6]; let h = H[7]
      for (let i = 0; i < 64; i++) {
        const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
        const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0
        const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
        const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0
        h = g; g = f; f = e; e = (d + t1) | 0
        d = c; c = b; b = a; a = (t1 + t2) | 0
      }
      H[0] += a; H[1] += b; H[2] += c; H[3] += d; H[4] += e; H[5] += f; H[6] += g; H[7] += h
    }
    return H[0]
  }

  /* A solver for one challenge: step(n) tries n more nonces, and answers the proof once found. */
  function solver (challenge, bits) {
    const prefix = Array.from(challenge, (ch) => ch.charCodeAt(0) & 0xff) // the challenge is ASCII
    const bytes = new Uint8Array(prefix.length + 21 + 72)
    bytes.set(prefix)
    const limit = bits >= 32 ? 0 : (0xffffffff >>> bits) // the largest head with that many zero bits (at most 32)
    let nonce = 0
    return function step (tries) {
      for (let i = 0; i < tries; i++, nonce++) {
        const digits = String(nonce)
        for (let j = 0; j < digits.length; j++) bytes[prefix.length + j] = digits.charCodeAt(j)
        const head = sha256Head(bytes, prefix.length + digits.length) >>> 0
        if (head <= limit) return digits
      }
      return null
    }
  }

  window.RequestProof = { sha256Head, solver }

  const form = document.querySelector('form[data-challenge]')
  if (!form) return
  const proofField = form.querySelector('input[name="proof"]')
  const status = document.getElementById('proof-status')
  const send = form.querySelector('button[type="submit"]')
  const step = solver(form.dataset.challenge, Number(form.dataset.bits) || 0)
  let proof = null
  let sendWhenFound = false

  function work () {
    const found = step(4096)
    if (found === null) {
      setTimeout(work, 0)
      return
    }
    proof = found
    proofField.value = found
    form.dataset.proof = 'ready'
    if (status) status.textContent = status.dataset.ready || ''
    if (sendWhenFound) {
      send.disabled = false
      form.requestSubmit(send)
    }
  }

  const maxBytes = Number(form.dataset.maxPhotoBytes) || 0
  function photosTooLarge () {
    let tooLarge = false
    for (const input of form.querySelectorAll('input[type="file"]')) {
      const message = input.parentElement.querySelector('.photo-size-error')
      const big = maxBytes && Array.from(input.files || []).some((file) => file.size > maxBytes)
      if (message) message.hidden = !big
      input.setAttribute('aria-invalid', big ? 'true' : 'false')
      tooLarge = tooLarge || big
    }
    return tooLarge
  }
  form.addEventListener('change', (event) => {
    if (event.target.type === 'file') photosTooLarge()
  })

  form.addEventListener('submit', (event) => {
    if (photosTooLarge()) {
      event.preventDefault()
      form.querySelector('input[aria-invalid="true"]').focus()
      return
    }
    if (proof !== null) return
    event.preventDefault()
    sendWhenFound = true
    send.disabled = true
    if (status) status.textContent = status.dataset.working || ''
  })

  setTimeout(work, 0)
})()
