/* The workbench's lane roles table: the process owner picks a role per lane and saves the whole
   mapping with PUT /api/v1/processes/<key>/lane-roles ("as the diagram says" sends null). */
(function () {
  'use strict'
  const box = document.getElementById('wb-lane-roles')
  const save = document.getElementById('wb-lane-roles-save')
  if (!box || !save) return
  const status = document.getElementById('wb-lane-roles-status')
  const csrf = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || ''

  save.addEventListener('click', async () => {
    const lanes = {}
    for (const row of box.querySelectorAll('tr[data-lane]')) {
      lanes[row.dataset.lane] = row.querySelector('select').value || null
    }
    save.disabled = true
    try {
      const response = await fetch(box.dataset.url, {
        method: 'PUT',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf() },
        body: JSON.stringify({ lanes })
      })
      const body = await response.json().catch(() => ({}))
      status.textContent = response.ok ? box.dataset.saved : `${box.dataset.failed}: ${body.detail || response.status}`
    } catch (error) {
      status.textContent = `${box.dataset.failed}: ${error.message}`
    } finally {
      save.disabled = false
    }
  })
})()
