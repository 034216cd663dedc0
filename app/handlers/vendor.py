"""Front-end packages (pinned in package.json, installed by ``npm ci``) served from their
prebuilt dist files in node_modules: a fixed list, nothing else of node_modules is reachable.
(The workbench's lint is bundled by esbuild into static/build/lint.js instead: see esbuild.config.mjs.)"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import send_from_directory

bp = Blueprint("vendor", __name__, url_prefix="/vendor")

# Public name -> file under node_modules.
FILES = {
    "jsoneditor.js": "@json-editor/json-editor/dist/jsoneditor.js",
    "purify.min.js": "dompurify/dist/purify.min.js",
    "signature_pad.umd.min.js": "signature_pad/dist/signature_pad.umd.min.js",
    "bpmn-navigated-viewer.js": "bpmn-js/dist/bpmn-navigated-viewer.production.min.js",
    "diagram-js.css": "bpmn-js/dist/assets/diagram-js.css",
    "bpmn-js.css": "bpmn-js/dist/assets/bpmn-js.css",
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
    "bpmn-modeler.js": "bpmn-js/dist/bpmn-modeler.production.min.js",
    "bpmn-js-bpmnlint.css": "bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css",
    "bpmn-font/css/bpmn.css": "bpmn-js/dist/assets/bpmn-font/css/bpmn.css",
    "bpmn-font/font/bpmn.eot": "bpmn-js/dist/assets/bpmn-font/font/bpmn.eot",
    "bpmn-font/font/bpmn.woff2": "bpmn-js/dist/assets/bpmn-font/font/bpmn.woff2",
    "bpmn-font/font/bpmn.woff": "bpmn-js/dist/assets/bpmn-font/font/bpmn.woff",
    "bpmn-font/font/bpmn.ttf": "bpmn-js/dist/assets/bpmn-font/font/bpmn.ttf",
    "bpmn-font/font/bpmn.svg": "bpmn-js/dist/assets/bpmn-font/font/bpmn.svg",
    "swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
    "swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
}


def node_modules() -> Path:
    configured = current_app.config.get("NODE_MODULES_DIR")
    return Path(configured) if configured else Path(current_app.root_path).parent / "node_modules"


@bp.get("/<name>")
def vendor_file(name: str):
    target = FILES.get(name)
    if target is None:
        abort(404)
    if not (node_modules() / target).is_file():
        abort(404, description=f"{target} is missing: run `npm ci` (make setup)")
    return send_from_directory(node_modules(), target, max_age=3600)


@bp.get("/bpmn-font/<kind>/<name>")
def bpmn_font(kind: str, name: str):
    """bpmn-js' icon font: bpmn.css names its font files relative to itself (``../font/bpmn.woff2``)."""
    return vendor_file(f"bpmn-font/{kind}/{name}")
