/* The QA page: the KPI trend (a line per KPI, its target dashed) and breached deadlines per clause
   with Chart.js, and the process diagram in bpmn-js' NavigatedViewer with a heatmap badge per
   element (cases · median hours · breaches; diagram-overlays.js) from /api/v1/reports/{kpi-trend,deadlines,heatmap},
   and the conformance section, an HTML fragment the server renders (/qa/conformance). */
(function () {
  'use strict'
  const { api, pickLanguage } = window.Workspace
  const { DiagramOverlays } = window
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
    const viewer = await DiagramOverlays.open(container, `${root.dataset.diagramUrl}?version=${data.version}`, language)
    const elements = data.elements.filter((e) => (e.cases || e.breaches) && !e.type.endsWith('Gateway'))
    const most = Math.max(1, ...elements.map((e) => e.breaches))
    const shown = DiagramOverlays.showBadges(viewer, 'qa-heat', elements.map((element) => {
      const level = heat(element.breaches, most)
      return { elementId: element.element_id, node: badge(element, level), marker: level ? `heat-fill-${level}` : null }
    }))
    // A whole procedure fits only at an unreadable size: show the hottest element at a readable one.
    const byId = Object.fromEntries(elements.map((e) => [e.element_id, e]))
    const hottest = shown.map((item) => byId[item.elementId]).sort((a, b) => b.breaches - a.breaches || b.cases - a.cases)[0]
    DiagramOverlays.focus(viewer, hottest && hottest.element_id, MIN_READABLE_ZOOM, READABLE_ZOOM)
    document.getElementById('qa-heatmap-summary').textContent =
      `v${data.version} · ${data.cases} ${text.cases} · ${data.breaches} ${text.breaches}`
    container.dataset.ready = 'true'
  }

  /* The conformance section, rendered by the server (/qa/conformance) after the page: the replay takes a while. */
  async function conformanceSection () {
    const section = document.getElementById('conformance')
    const response = await fetch(section.dataset.url, { credentials: 'same-origin' })
    if (!response.ok) throw new Error(`conformance: HTTP ${response.status}`)
    const fragment = document.createRange().createContextualFragment(await response.text())
    document.getElementById('conformance-loading').replaceWith(fragment)
    section.setAttribute('aria-busy', 'false')
    section.dataset.ready = 'true'
  }

  for (const draw of [kpiChart, clauseChart, heatmap, conformanceSection]) draw().catch(fail)
})()
