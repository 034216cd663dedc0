/* The QA page: the KPI trend (a line per KPI, its target dashed) and breached deadlines per clause
   with Chart.js, and the process diagram in bpmn-js' NavigatedViewer with a heatmap badge per
   element (cases · median hours · breaches) from /api/v1/reports/{kpi-trend,deadlines,heatmap}. */
(function () {
  'use strict'
  const { api, pickLanguage } = window.Workspace
  const root = document.getElementById('qa')
  if (!root) return
  const language = root.dataset.language
  const text = JSON.parse(root.dataset.i18n || '{}')
  const period = new URLSearchParams({ from: root.dataset.from, to: root.dataset.to })
  const MIN_READABLE_ZOOM = 0.5
  const READABLE_ZOOM = 0.6
  const COLOURS = ['#1d4ed8', '#15803d', '#b45309', '#7c3aed', '#0e7490', '#be185d']
  const POINTS = ['circle', 'rect', 'triangle', 'rectRot', 'star', 'crossRot']
  const number = new Intl.NumberFormat(language.startsWith('zh') ? 'zh-CN' : 'en', { maximumFractionDigits: 1 })

  window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily
  window.Chart.defaults.animation = false

  function fail (error) {
    console.error(error)
    const box = document.getElementById('qa-error')
    box.textContent = text.failed
    box.hidden = false
  }

  async function load (path) {
    const response = await api('GET', path)
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`)
    return response.data
  }

  const percent = (value) => (value === null || value === undefined ? null : Math.round(value * 1000) / 10)

  async function kpiChart () {
    const trend = await load('/reports/kpi-trend?quarters=' + encodeURIComponent(root.dataset.quarters))
    const datasets = []
    trend.kpis.forEach((kpi, i) => {
      const colour = COLOURS[i % COLOURS.length]
      const name = pickLanguage(kpi.name, language)
      datasets.push({
        label: name,
        data: kpi.values.map(percent),
        cases: kpi.cases,
        borderColor: colour,
        backgroundColor: colour,
        pointStyle: POINTS[i % POINTS.length],
        pointRadius: 4,
        spanGaps: true,
        tension: 0.2,
        clip: false
      })
      datasets.push({
        label: `${name} · ${text.target}`,
        data: trend.quarters.map(() => percent(kpi.target)),
        borderColor: colour,
        borderDash: [6, 4],
        borderWidth: 1,
        pointRadius: 0,
        isTarget: true
      })
    })
    const canvas = document.getElementById('kpi-chart')
    new window.Chart(canvas, {
      type: 'line',
      data: { labels: trend.quarters, datasets },
      options: {
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        scales: { y: { min: 0, max: 100, ticks: { callback: (v) => v + ' %' } } },
        plugins: {
          legend: { position: 'bottom', labels: { filter: (item, data) => !data.datasets[item.datasetIndex].isTarget } },
          subtitle: { display: true, text: text.targets },
          tooltip: {
            callbacks: {
              label: (item) => {
                const value = item.raw === null ? '—' : number.format(item.raw) + ' %'
                const cases = item.dataset.cases ? ` (${item.dataset.cases[item.dataIndex]} ${text.cases})` : ''
                return `${item.dataset.label}: ${value}${cases}`
              }
            }
          }
        }
      }
    })
    canvas.dataset.ready = 'true'
  }

  async function clauseChart () {
    const report = await load(`/reports/deadlines?${period}&process_key=${encodeURIComponent(root.dataset.process)}`)
    const names = {}
    for (const row of report.rows) {
      (names[row.clause] = names[row.clause] || new Set()).add(pickLanguage(row.name, language))
    }
    const groups = report.by_clause
    const canvas = document.getElementById('clause-chart')
    new window.Chart(canvas, {
      type: 'bar',
      data: {
        labels: groups.map((g) => g.clause),
        datasets: [
          { label: text.breached, data: groups.map((g) => g.breached), backgroundColor: '#dc2626', maxBarThickness: 40 },
          { label: text.atRisk, data: groups.map((g) => g.at_risk), backgroundColor: '#f59e0b', maxBarThickness: 40 },
          { label: text.met, data: groups.map((g) => g.met), backgroundColor: '#86efac', maxBarThickness: 40 }
        ]
      },
      options: {
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: {
          legend: { position: 'bottom' },
          tooltip: { callbacks: { footer: (items) => [...(names[items[0].label] || [])].join('\n') } }
        }
      }
    })
    canvas.dataset.ready = 'true'
  }

  function localise (xml) {
    const doc = new DOMParser().parseFromString(xml, 'application/xml')
    doc.querySelectorAll('[name]').forEach((node) => {
      node.setAttribute('name', pickLanguage(node.getAttribute('name'), language))
    })
    return new XMLSerializer().serializeToString(doc)
  }

  /* 0: no breach; 1–3: a share of the element with the most breaches. */
  function heat (breaches, most) {
    if (!breaches) return 0
    return Math.max(1, Math.ceil((3 * breaches) / most))
  }

  function badge (element, level) {
    const hours = element.median_hours === null ? '—' : number.format(element.median_hours) + ' ' + text.hours
    const node = document.createElement('span')
    node.className = `qa-badge heat-${level}`
    node.dataset.element = element.element_id
    node.textContent = `${element.cases} · ${hours} · ${element.breaches}`
    node.title = [
      `${element.cases} ${text.cases}`,
      `${hours} (${text.medianHours})`,
      `${element.breaches} ${text.breaches}`
    ].join('\n')
    return node
  }

  async function heatmap () {
    const container = document.getElementById('qa-diagram')
    const data = await load(`/reports/heatmap?${period}&process_key=${encodeURIComponent(root.dataset.process)}`)
    const response = await fetch(`${root.dataset.diagramUrl}?version=${data.version}`, { credentials: 'same-origin' })
    if (!response.ok) throw new Error(`diagram: HTTP ${response.status}`)
    const viewer = new window.BpmnJS({ container })
    await viewer.importXML(localise(await response.text()))
    const canvas = viewer.get('canvas')
    const registry = viewer.get('elementRegistry')
    const overlays = viewer.get('overlays')
    canvas.zoom('fit-viewport')
    const shown = data.elements.filter(
      (e) => (e.cases || e.breaches) && !e.type.endsWith('Gateway') && registry.get(e.element_id)
    )
    const most = Math.max(1, ...shown.map((e) => e.breaches))
    for (const element of shown) {
      const level = heat(element.breaches, most)
      if (level) canvas.addMarker(element.element_id, `heat-fill-${level}`)
      overlays.add(element.element_id, 'qa-heat', {
        position: { top: -16, left: -4 },
        scale: { min: 0.8 },
        html: badge(element, level)
      })
    }
    // A whole procedure fits only at an unreadable size: show the hottest element at a readable one.
    const hottest = [...shown].sort((a, b) => b.breaches - a.breaches || b.cases - a.cases)[0]
    if (hottest && canvas.zoom() < MIN_READABLE_ZOOM) {
      const target = registry.get(hottest.element_id)
      canvas.zoom(READABLE_ZOOM, { x: target.x + target.width / 2, y: target.y + target.height / 2 })
      const { width, height, inner } = canvas.viewbox()
      const clamp = (centre, size, start, length) =>
        Math.max(start - 20, Math.min(centre - size / 2, start + length + 20 - size))
      canvas.viewbox({
        x: clamp(target.x + target.width / 2, width, inner.x, inner.width),
        y: clamp(target.y + target.height / 2, height, inner.y, inner.height),
        width,
        height
      })
    }
    document.getElementById('qa-heatmap-summary').textContent =
      `v${data.version} · ${data.cases} ${text.cases} · ${data.breaches} ${text.breaches}`
    container.dataset.ready = 'true'
  }

  for (const draw of [kpiChart, clauseChart, heatmap]) draw().catch(fail)
})()
