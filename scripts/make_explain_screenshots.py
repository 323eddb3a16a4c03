"""Screenshots of the explain page for the README and docs/lessons.md, taken in headless Chromium as the page tests
drive it: lecture 4's program at its last backward step, and a two-layer sigmoid network at its first weight.

    python scripts/make_explain_screenshots.py      (needs chromium, chromium-driver and selenium)
"""
import subprocess
import sys
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

import glasstorch as gt

ROOT = Path(__file__).resolve().parent.parent


def browser(width, height):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_window_size(width, height)
    return driver


def shoot(page, target, clicks, width=1280, height=420):
    driver = browser(width, height)
    try:
        driver.get(Path(page).resolve().as_uri())
        for _ in range(clicks(driver)):
            driver.find_element("id", "next").click()
        driver.save_screenshot(str(target))
    finally:
        driver.quit()
    print(f"wrote {target}")


def steps(driver, name):
    return driver.execute_script(f"return JSON.parse(document.getElementById('glasstorch-graph').textContent).{name}.length")


def main():
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "lecture4.html"
        subprocess.run([sys.executable, "-m", "glasstorch", "run", "--explain", "--explain-out", str(page),
                        str(ROOT / "course" / "linear_grad.py")], check=True, capture_output=True)
        shoot(page, ROOT / "docs" / "explain-lecture4.png",
              lambda d: steps(d, "forward") + steps(d, "backward") - 1, height=480)
        gt.manual_seed(0)
        model = gt.nn.Sequential(gt.nn.Linear(2, 2), gt.nn.Sigmoid(), gt.nn.Linear(2, 1), gt.nn.Sigmoid())
        loss = gt.nn.functional.binary_cross_entropy(model(gt.tensor([[0.5, -1.0]])), gt.tensor([[1.0]]))
        page = gt.explain(loss, names=dict(model.named_parameters())).save(Path(folder) / "sigmoid.html")
        shoot(page, ROOT / "docs" / "explain-sigmoid.png", lambda d: steps(d, "forward") + steps(d, "backward") - 2,
              width=1400, height=480)


if __name__ == "__main__":
    main()
