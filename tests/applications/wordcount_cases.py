"""Texts with their 字数, counted by hand: shared by the server's tests (test_wordcount.py) and the
browser test that compares the live JavaScript counter with the server.

The rule (applications/wordcount.py): each CJK character and each full-width punctuation mark is
one; each run of Latin letters or digits is one, inner joiners (. _ - ') included; white space and
lone half-width punctuation are nothing.
"""

WORDCOUNT_CASES = [
    # 8 Chinese characters, nothing else.
    ("实验校资格申请表", 8),
    # 我们在(3) 2023(1) 年开展了(4) COVID-19(1: the hyphen joins) 相关培训(4) ，(1) 效果很好(4) 。(1) = 19
    ("我们在2023年开展了COVID-19 相关培训，效果很好。", 19),
    # 职业教育(4) ，(1) 服务终身学习(6) 。(1) = 12
    ("职业教育，服务终身学习。", 12),
    # Six full-width marks ，。！？；： and the corner brackets 「」: one each = 8
    ("，。！？；：「」", 8),
    # Half-width punctuation on its own counts nothing.
    (",.!?;:()", 0),
    # 好(1) ,(0) 好(1) .(0) = 2: half-width marks after Chinese add nothing.
    ("好,好.", 2),
    # Blank lines, spaces, a tab and the ideographic space U+3000: nothing to count.
    ("\n\n   \t\n　　", 0),
    ("", 0),
    # A decimal number is one run: the dot joins its digits.
    ("3.5", 1),
    # A CJK Extension B character (outside the Basic Multilingual Plane) is one character.
    ("𠀀", 1),
    # 𠀀(1) 𠀁(1) 字(1) = 3
    ("𠀀𠀁字", 3),
    # Two English words.
    ("Hello world", 2),
    # An apostrophe inside a word joins it: one word.
    ("don't", 1),
    # Full-width letters and digits form one run, like their half-width forms.
    ("ＡＢＣ１２３", 1),
    # 第(1) 3(1) 章(1) = 3
    ("第3章", 3),
    # 2023(1) 年(1) 4(1) 月(1) 28(1) 日(1) = 6
    ("2023年4月28日", 6),
    # 老年教育(4) —(1, em dash) 赋能提质(4) = 9
    ("老年教育—赋能提质", 9),
    # 二(1) 〇(1, U+3007 counts as a character) 二(1) 三(1) 年(1) = 5
    ("二〇二三年", 5),
    # “(1) 终身学习(4) ”(1) …(1) …(1) = 8
    ("“终身学习”……", 8),
    # Python3.11 is one run (letters and digits joined by the dot), 版本(2) = 3
    ("Python3.11版本", 3),
    # 第一段。(4) blank line (0) 第二段。(4) = 8
    ("第一段。\n\n第二段。", 8),
    # a(1) -(0, a lone hyphen between spaces joins nothing) b(1) = 2
    ("a - b", 2),
    # 中(1) ·(1, the middle dot of Chinese text) 外(1) = 3
    ("中·外", 3),
]
