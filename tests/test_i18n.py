"""Chinese beside English: the two catalogues agree key by key and field by field, the language is chosen as
documented, the command line speaks it, and figures draw Chinese with a CJK font and no missing glyph."""
import string
import subprocess
import sys
import warnings

import pytest

from glasstorch import i18n
from glasstorch.i18n import fonts
from glasstorch.i18n.catalogue_en import MESSAGES as EN
from glasstorch.i18n.catalogue_zh import MESSAGES as ZH


def fields(template):
    return sorted(name for _, name, _, _ in string.Formatter().parse(template) if name is not None)


def test_every_message_has_both_languages_with_the_same_fields():
    assert list(EN) == list(ZH)
    for key in EN:
        assert fields(EN[key]) == fields(ZH[key]), key
        assert ZH[key] != EN[key] or key == "lesson.heading", f"{key} is not translated"


@pytest.mark.parametrize("environment,expected", [
    ({}, "en"), ({"LANG": "zh_CN.UTF-8"}, "zh"), ({"LANG": "de_DE.UTF-8"}, "en"), ({"LC_ALL": "zh_TW.UTF-8"}, "zh"),
    ({"LANG": "zh_CN.UTF-8", "GLASSTORCH_LANG": "en"}, "en"), ({"GLASSTORCH_LANG": "zh"}, "zh"),
])
def test_the_language_comes_from_the_environment(monkeypatch, environment, expected):
    for name in ("LANG", "LC_ALL", "LC_MESSAGES", "GLASSTORCH_LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert i18n.language() == expected
    i18n.set_language("en" if expected == "zh" else "zh")      # --lang wins over everything
    try:
        assert i18n.language() != expected
    finally:
        i18n.set_language(None)


def glasstorch(*argv, env=None, cwd=None):
    import os

    environment = {key: value for key, value in os.environ.items() if key not in ("LANG", "LC_ALL", "GLASSTORCH_LANG")}
    result = subprocess.run([sys.executable, "-m", "glasstorch", *map(str, argv)], capture_output=True, text=True,
                            env={**environment, **(env or {})}, cwd=cwd, timeout=300)
    return result.returncode, result.stdout, result.stderr


def test_train_speaks_chinese_with_the_locale_and_draws_chinese_figures(tmp_path):
    code, out, err = glasstorch("train", "--model", "xor", "--epochs", "3", "--out", tmp_path / "run", "--no-progress",
                                env={"LANG": "zh_CN.UTF-8"})
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0].startswith("训练 xor (") and "运行目录" in lines[0]
    assert lines[1].startswith("第 1/3 轮  训练损失 ") and lines[-1].startswith("完成: 最终测试准确率")
    assert (tmp_path / "run" / "curves.png").exists()


@pytest.mark.parametrize("argv,english,chinese", [
    (["train", "--lr", "-1"], "--lr must be a finite positive number, got -1.0", "--lr 必须是有限的正数, 得到的是 -1.0"),
    (["train", "--model", "nothing"], "unknown model 'nothing'", "未知的模型 'nothing'"),
    (["predict", "missing.safetensors", "x.png"], None, None),
])
def test_one_line_errors_speak_the_chosen_language(tmp_path, argv, english, chinese):
    results = {lang: glasstorch("--lang", lang, *argv, cwd=tmp_path) for lang in ("en", "zh")}
    for lang, (code, out, err) in results.items():
        assert code == 1 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    if english is not None:
        assert english in results["en"][2] and chinese in results["zh"][2]
        assert results["zh"][2].startswith(f"glasstorch {argv[0]}: 错误: ")
    assert glasstorch(*argv, "--lang", "zh", cwd=tmp_path)[2] == results["zh"][2]     # --lang after the command


def test_help_is_in_the_chosen_language():
    assert "训练一个模型" in glasstorch("--lang", "zh", "--help")[1]
    assert "train a model with a progress bar" in glasstorch("--help", env={"LANG": "C"})[1]


def test_a_figure_with_chinese_labels_has_no_missing_glyph(monkeypatch, tmp_path):
    """CI installs fonts-noto-cjk; matplotlib warns 'Glyph ... missing from font(s)' for any character it cannot
    draw, which would be drawn as a box."""
    from matplotlib.figure import Figure

    monkeypatch.setattr(fonts, "_checked", None)
    i18n.set_language("zh")
    try:
        assert fonts.figure_language() == "zh" and fonts.cjk_font() is not None
        figure = Figure(figsize=(4, 3))
        ax = figure.subplots()
        ax.plot([1, 2, 3], [0.9, 0.5, -0.2], label=fonts.figure_text("figure.train"))
        ax.set(xlabel=fonts.figure_text("figure.epoch"), ylabel=fonts.figure_text("figure.loss"),
               title=fonts.figure_text("activations.title", depth=20))
        ax.legend()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            figure.savefig(tmp_path / "zh.png")
        assert not [w for w in caught if "missing from" in str(w.message)], [str(w.message) for w in caught]
    finally:
        i18n.set_language(None)


def test_without_a_cjk_font_figures_fall_back_to_english_with_one_line(monkeypatch, capsys):
    monkeypatch.setattr(fonts, "_checked", None)
    monkeypatch.setattr(fonts, "cjk_font", lambda: None)
    i18n.set_language("zh")
    try:
        assert fonts.figure_language() == "en" and fonts.figure_text("figure.loss") == "loss"
        assert fonts.figure_language() == "en"                  # said once
    finally:
        i18n.set_language(None)
        monkeypatch.setattr(fonts, "_checked", None)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "apt-get install fonts-noto-cjk" in err


def test_a_lesson_speaks_chinese_with_lang_zh(tmp_path):
    code, out, err = glasstorch("experiment", "activations", "--lang", "zh", "--out", tmp_path, cwd=tmp_path)
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0] == "== activations: 梯度消失: 用 sigmoid、tanh 和 ReLU 激活函数的深层多层感知机"
    assert lines[1].split()[:2] == ["激活函数", "深度"]
    assert lines[2].replace(" ", "").strip("-") == "" and len(lines[1]) <= len(lines[2]) + 16     # aligned by width
    assert any(line.startswith("结论: 深度为 20 时, sigmoid 第一层的梯度只有最后一层的") for line in lines)
    assert (tmp_path / "activations_gradient_norms.png").exists()
