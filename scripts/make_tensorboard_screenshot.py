"""The README's TensorBoard screenshot: a short `glasstorch train --tensorboard` run, served by a real
`tensorboard --logdir` on 127.0.0.1 and photographed in headless Chromium (its Time Series tab, filtered to the
run's loss and accuracy charts).

    python scripts/make_tensorboard_screenshot.py      (needs glasstorch[tensorboard], chromium, chromium-driver)
"""
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from make_explain_screenshots import ROOT, browser


def main():
    with tempfile.TemporaryDirectory() as folder:
        run = Path(folder) / "lenet-mnist"
        subprocess.run([sys.executable, "-m", "glasstorch", "train", "--model", "lenet", "--epochs", "6",
                        "--limit-train", "2000", "--lr", "0.003", "--out", str(run), "--tensorboard", "--no-progress"],
                       check=True, capture_output=True)
        server = subprocess.Popen([sys.executable, "-m", "tensorboard.main", "--logdir", folder, "--host",
                                   "127.0.0.1", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True)
        try:
            url = None
            while url is None:
                found = re.search(r"(http://127\.0\.0\.1:\d+)/", server.stdout.readline())
                url = found.group(1) if found else None
            driver = browser(1400, 900)
            try:
                driver.get(f"{url}/?darkMode=false#timeseries&tagFilter=accuracy%7Closs%2Ftest%7Closs%2Ftrain%24")
                time.sleep(12)           # the charts load and draw
                target = ROOT / "docs" / "tensorboard-train.png"
                driver.save_screenshot(str(target))
                print(f"wrote {target}")
            finally:
                driver.quit()
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
