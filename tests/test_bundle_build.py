"""The page's modules are bundled into one js/app.js when the site is built
(scripts/sitebuild/bundle.py), and index.html loads that file."""
import json
import subprocess
import sys

import pytest
from helpers import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

from sitebuild.bundle import bundle_scripts  # noqa: E402
from sitebuild.config import BuildError  # noqa: E402

PAGE = '<!doctype html><body><p>x</p><script type="module" src="js/main.js"></script></body>'


def site_with(tmp_path, modules, page=PAGE):
    (tmp_path / "js" / "widgets").mkdir(parents=True)
    for name, text in modules.items():
        (tmp_path / "js" / name).write_text(text, encoding="utf-8")
    (tmp_path / "index.html").write_text(page, encoding="utf-8")
    return tmp_path


def test_the_modules_become_one_file_that_runs_in_their_order(tmp_path):
    site = site_with(tmp_path, {
        "main.js": 'import { twice, log } from "./widgets/a.js";\nlog.push("main");\n'
                   'console.log(JSON.stringify([twice(21), ...log]));\n',
        "widgets/a.js": 'export const log = ["a"];\nexport function twice(x) { return 2 * x; }\n',
    })
    assert bundle_scripts(site) > 0
    app = (site / "js" / "app.js").read_text(encoding="utf-8")
    assert "import " not in app and "twice" in app  # nothing left to fetch
    assert app.rstrip().endswith("//# sourceMappingURL=app.js.map")
    sources = json.loads((site / "js" / "app.js.map").read_text())["sources"]
    assert sorted(sources) == ["main.js", "widgets/a.js"]  # paths a browser finds in dist/js
    page = (site / "index.html").read_text(encoding="utf-8")
    assert '<script type="module" src="js/app.js"></script>' in page and "main.js" not in page
    assert (site / "js" / "main.js").exists()  # the modules stay beside the bundle
    out = subprocess.run(["node", str(site / "js" / "app.js")], capture_output=True, text=True,
                         check=True).stdout
    assert json.loads(out) == [42, "a", "main"]


def test_a_page_that_does_not_load_main_js_fails_the_build(tmp_path):
    site = site_with(tmp_path, {"main.js": "export {};\n"}, page="<!doctype html><p>x</p>")
    with pytest.raises(BuildError, match="must load the page's code once"):
        bundle_scripts(site)


def test_a_module_that_does_not_parse_fails_the_build_naming_it(tmp_path):
    site = site_with(tmp_path, {"main.js": 'import "./widgets/bad.js";\n',
                                "widgets/bad.js": "export const = 1;\n"})
    with pytest.raises(BuildError, match="bad.js"):
        bundle_scripts(site)
