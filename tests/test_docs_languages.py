"""README.zh-CN.md and docs/lessons.zh-CN.md stay in step with their English originals: the same headings (level
by level, in order), the same code blocks (the same commands: comments may be translated; program output and
listings keep their paths), the same figures in the same order, and a link to the other language at the top."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAIRS = [("README.md", "README.zh-CN.md"), ("docs/lessons.md", "docs/lessons.zh-CN.md")]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.S | re.M)
PATH = re.compile(r"[\w.-]*/[\w./-]*|[\w-]+\.py\b")


def outside_code(text):
    return FENCE.sub("", text)


def headings(text):
    return [line.split(" ", 1)[0] for line in outside_code(text).splitlines() if line.startswith("#")]


def figures(text):
    return re.findall(r"!\[[^\]]*\]\(([^)]+)\)", outside_code(text))


def commands(block, language):
    """A code block's content as the languages must share it: shell and Python without their comments (a
    comment starts at '#' after two spaces, or a line); listings and program output as the paths they name."""
    if language in ("bash", "python"):
        lines = [re.split(r"(?:^|\s{2,})#", line)[0].rstrip() for line in block.splitlines()]
        return [line for line in lines if line]
    return PATH.findall(block)


@pytest.mark.parametrize("english,chinese", PAIRS, ids=[p[1] for p in PAIRS])
def test_the_chinese_document_has_the_english_ones_sections_commands_and_figures(english, chinese):
    en, zh = (ROOT / english).read_text(), (ROOT / chinese).read_text()
    assert headings(zh) == headings(en)
    assert figures(zh) == figures(en)
    en_blocks, zh_blocks = FENCE.findall(en), FENCE.findall(zh)
    assert [language for language, _ in zh_blocks] == [language for language, _ in en_blocks]
    for (language, en_block), (_, zh_block) in zip(en_blocks, zh_blocks):
        assert commands(zh_block, language) == commands(en_block, language), en_block.splitlines()[0]
    for path in figures(en):
        assert (ROOT / Path(english).parent / path).exists(), path


@pytest.mark.parametrize("english,chinese", PAIRS, ids=[p[1] for p in PAIRS])
def test_each_language_links_to_the_other_at_the_top(english, chinese):
    en_top = (ROOT / english).read_text().split("\n## ")[0]
    zh_top = (ROOT / chinese).read_text().split("\n## ")[0]
    assert f"({Path(chinese).name})" in en_top and f"({Path(english).name})" in zh_top


def test_the_glossary_has_every_term_the_chinese_messages_and_figures_use():
    glossary = (ROOT / "docs" / "glossary.md").read_text()
    for term in ("激活函数", "损失函数", "梯度下降", "反向传播", "计算图", "链式法则", "梯度消失", "梯度爆炸", "梯度裁剪",
                 "卷积核", "通道", "步长", "填充", "池化", "全连接", "残差块", "学习率", "准确率", "混淆矩阵", "轮 (epoch)"):
        assert term in glossary, term
