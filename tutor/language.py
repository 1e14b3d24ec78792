"""Learner language, from general packaged resources: words, contractions, lemmas, spelling.

Nothing here knows any lesson. Lemmas come from simplemma ("wrote" → "write", "kept" →
"keep"); the English word list and its frequencies are symspellpy's shipped dictionary, used to
correct misspelt words and to say how ordinary a word is (an ordinary word a lesson does not
use, "manager", says less about the topic than a rare one, "kubernetes").
"""

from __future__ import annotations

import gzip
import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import simplemma
import Stemmer
from breame.spelling import get_american_spelling, get_british_spelling

# A number with a point is one word: "MANAGE 4.2" is not "MANAGE 4" and "2".
WORD = re.compile(r"\d+(?:\.\d+)+|[a-z0-9]+(?:['’][a-z]+)*")
# A hyphenated compound ("grown-up", "follow-up") is also typed as one word ("grownup").
COMPOUND = re.compile(r"\b[a-z]+(?:-[a-z]+)+\b")
# Contractions and chat shorthand of general English, written with or without the apostrophe.
# Only forms that are not also ordinary words: "well" (we'll), "were" (we're), "id" (I'd) and
# "its" stay as typed.
CONTRACTIONS = {
    "cant": "can not", "cannot": "can not", "wont": "will not", "dont": "do not",
    "doesnt": "does not", "didnt": "did not", "isnt": "is not", "arent": "are not",
    "wasnt": "was not", "werent": "were not", "hasnt": "has not", "havent": "have not",
    "hadnt": "had not", "shouldnt": "should not", "couldnt": "could not",
    "wouldnt": "would not", "mustnt": "must not", "neednt": "need not", "aint": "is not",
    "whats": "what is", "whos": "who is", "hows": "how is", "wheres": "where is",
    "whens": "when is", "whys": "why is", "thats": "that is", "theres": "there is",
    "heres": "here is", "lets": "let us", "im": "i am", "ive": "i have", "youre": "you are",
    "youve": "you have", "youll": "you will", "youd": "you would", "theyre": "they are",
    "theyve": "they have", "theyll": "they will", "weve": "we have", "itll": "it will",
    "shes": "she is", "hes": "he is", "gonna": "going to", "wanna": "want to",
    "gotta": "got to", "kinda": "kind of", "sorta": "sort of", "dunno": "do not know",
    "u": "you", "ur": "your", "r": "are", "pls": "please", "plz": "please", "thx": "thanks",
    "ppl": "people", "bc": "because", "cuz": "because", "coz": "because", "w": "with",
    "abt": "about", "wat": "what", "wats": "what is", "wut": "what", "y": "why",
    "wot": "what", "wen": "when", "shud": "should", "shld": "should", "cud": "could",
    "wud": "would", "cos": "because", "bcuz": "because", "becoz": "because",
    "tryna": "trying to", "lemme": "let me", "gimme": "give me", "probs": "probably",
    "irl": "in real life", "sus": "suspicious", "txt": "text", "bday": "birthday",
    "idk": "i do not know", "hw": "homework", "b4": "before", "rly": "really",
    "smth": "something", "sth": "something", "bout": "about",
    "tbh": "to be honest", "ngl": "not going to lie", "rn": "right now", "tho": "though",
    "urself": "yourself", "urselves": "yourselves", "yall": "you all",
    # Clipped words of chat: "a pic", "the vid".
    "pic": "picture", "pics": "pictures", "vid": "video", "vids": "videos",
    "info": "information", "convo": "conversation", "msg": "message", "msgs": "messages",
    "diff": "difference",
    "dm": "message", "dms": "messages", "pfp": "profile picture", "insta": "instagram",
    "stat": "statistic", "stats": "statistics", "bio": "biology", "chem": "chemistry",
}  # fmt: skip
# Words that carry no topic: function words, question words, chit-chat and "explain"-type
# requests. General English, not any lesson's.
STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just let me more most my myself no nor not of off on once only or
    other our ours ourselves out over own same she so some such than that the their theirs
    them themselves then there these they this those through to too under until up very was
    we were what when where which while who whom why will with would you your yours yourself mine
    yourselves s t d ll m o re ve should shall may might must get gets got getting one ones
    us hey hi hello ok okay please thanks thank vs versus anyway anyways really actually
    basically exactly stuff thing things explain explained tell means meaning define
    definition describe kind sort like example examples eg ie etc anyone anybody someone
    somebody everyone everybody well yeah yes oh um uh hmm lol go going gonna want wanna
    need know think say said way much many lot lots bit little pretty quite something
    anything everything even still ever yet though although whether either neither
    without instead else maybe perhaps probably supposed nobody noone none nothing remind
    lmao lmfao rofl omg omfg bruh smh ikr haha hahaha lolol xd nah yep yup yea fr lowkey
    highkey idc srsly btw fyi
    """
STOPWORDS = frozenset(STOPWORD_TEXT.split())
NEGATIONS = frozenset({"not", "no", "nor", "never", "nobody", "none", "nothing", "without"})
# "I'd" typed without its apostrophe is "id" (an ID card) unless a verb follows: "id feel
# weird", "id rather ask".
I_WOULD = re.compile(
    r"\bi['’]?d(?=\s+(?:like|love|rather|prefer|feel|say|want|need|be|have|go|get|think|guess|"
    r"do|ask|tell|use|hate|never|just|still|also|probably|really|not)\b)"
)
# Small numbers are written either way ("6 legs", "six legs"); both become the word. Not 1:
# "one" is a function word ("one student's code"), and "SEV 1" must keep its number.
NUMBER_TEXT = """
    zero 1 two three four five six seven eight nine ten eleven twelve thirteen fourteen
    fifteen sixteen seventeen eighteen nineteen twenty
"""
NUMBER_WORDS = dict(enumerate(NUMBER_TEXT.split()))
# English frequencies: words the dictionary lacks count as rare as its rarest.
FREQUENCY_FILE = "frequency_dictionary_en_82_765.txt"

_stemmer = Stemmer.Stemmer("english")


# Chat's "2" and "4" for "to" and "for", before a word no number counts ("say 2 my mum",
# "is it ok 4 me"); "2 weeks" stays a number. "hw" asking is "how" ("hw do i"), elsewhere
# homework.
TEXT_SPEAK_HOW = re.compile(
    r"\bhw(?=\s+(?:do|does|did|can|could|should|would|to|much|many|long|old|come)\b)",
    re.I,
)
# Words after which a "2" or "4" reads as "to" or "for", never as a count.
AFTER_TEXT_SPEAK = r"(?:my|me|the|your|ur|u|you|him|her|them|us|his|their|our|school|class|"
TEXT_SPEAK_TO = re.compile(
    r"(?<![\d.,])\b2(?=\s+"
    + AFTER_TEXT_SPEAK
    + r"do|be|get|go|tell|say|see|know|make|ask|talk|find|help|stop|keep|use|check)\b)",
    re.I,
)
TEXT_SPEAK_FOR = re.compile(r"(?<![\d.,])\b4(?=\s+" + AFTER_TEXT_SPEAK + r"real)\b)", re.I)


# Chat shorthand spelt out for reading a question's shape ("wat is", "hw do u", "wen shud").
CHAT_TEXT = """
    u ur r wat wats wut wot wen y pls plz abt bout b4 idk tho bc cuz coz ppl smth sth rly shud
    shld cud wud
"""
CHAT_WORDS = CHAT_TEXT.split()
CHAT_WORD = re.compile(r"\b(?:" + "|".join(CHAT_WORDS) + r")\b(?!['’])", re.I)


def spelt_out(question: str) -> str:
    """The question with chat shorthand in full words, for the patterns that read its
    shape ("wen shud i tell" asks when); everything else as typed."""
    question = TEXT_SPEAK_TO.sub("to", TEXT_SPEAK_HOW.sub("how", question))
    question = TEXT_SPEAK_FOR.sub("for", question)
    return CHAT_WORD.sub(lambda found: CONTRACTIONS[found[0].lower()], question)


def tokens(text: str) -> list[str]:
    """Lower-case words of `text`, apostrophes dropped and contractions spelt out; each
    hyphenated compound is also given joined, as learners often type it."""
    found: list[str] = []
    for word in WORD.findall(I_WOULD.sub("i would", text.lower())):
        if "'" in word or "’" in word:
            bare = word.replace("'", "").replace("’", "")
            expanded = CONTRACTIONS.get(bare)
            if expanded is None and bare.endswith("s") and word[-2] in "'’":
                found.append(bare[:-1])  # a possessive ("google's") is its noun
                continue
        else:
            bare = word
            expanded = CONTRACTIONS.get(bare)
        if expanded is None:
            found.append(
                NUMBER_WORDS.get(int(bare), bare) if bare.isdigit() and len(bare) < 3 else bare
            )
        else:
            found += expanded.split()
    found += [compound.replace("-", "") for compound in COMPOUND.findall(text.lower())]
    return found


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """The dictionary form of an English word ("held" → "hold"); the word itself if unknown."""
    if not word.isalpha() or len(word) < 3:
        # Two letters are too few to lemmatise safely: simplemma reads "ai" as a form of "be".
        return word
    found = str(simplemma.lemmatize(word, lang="en"))
    return found.lower() if found else word


@lru_cache(maxsize=65536)
def term(word: str) -> str:
    """The search term for a word: its lemma, stemmed ("writing", "wrote" → "write")."""
    return str(_stemmer.stemWord(lemma(word)))


def spelling_variants(word: str) -> list[str]:
    """The word as the other side of the Atlantic spells it ("grey", "gray"; "honour",
    "honor"), from breame's list of dual spellings (none when it has none)."""
    found = [get_american_spelling(word), get_british_spelling(word)]
    return [other for other in found if other != word]


@dataclass(frozen=True)
class WordForms:
    """What lemminflect's shipped lexicon says of English word forms, kept compact: its own
    API holds the whole table with every part of speech (about 33 MB a process)."""

    describing: frozenset[str]  # forms it lists that cannot be a noun
    lemmas: dict[str, tuple[str, ...]]  # a form's dictionary forms other than itself


# lemminflect's lookup table: one "form,part of speech,lemma/lemma" line per reading.
LEMMA_TABLE = "resources/lemma_lu.csv.gz"


@cache
def word_forms() -> WordForms:
    known: set[str] = set()
    naming: set[str] = set()
    lemmas: dict[str, tuple[str, ...]] = {}
    path = resources.files("lemminflect").joinpath(LEMMA_TABLE)
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as table:
        for line in table:
            word, kind, forms = line.rstrip("\n").split(",", 2)
            known.add(word)
            if kind == "noun":
                naming.add(word)
            others = tuple(form for form in forms.split("/") if form != word)
            if others:
                lemmas[word] = tuple(dict.fromkeys(lemmas.get(word, ()) + others))
    return WordForms(frozenset(known - naming), lemmas)


def other_lemmas(word: str) -> tuple[str, ...]:
    """The word's dictionary forms under every reading but its own: "felt" is also "feel"
    (simplemma reads it as the noun), "left" also "leave"."""
    return word_forms().lemmas.get(word, ())


def describes(word: str) -> bool:
    """Whether a word can only describe (a verb, adjective or adverb: "confess", "vague",
    "early") rather than name a thing: such a word a lesson lacks is more often the learner's
    own way of saying what the lesson says than a topic it does not cover."""
    return word in word_forms().describing


def stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


@cache
def english() -> dict[str, int]:
    """symspellpy's shipped English dictionary: 82,765 words and their corpus counts."""
    path = resources.files("symspellpy").joinpath(FREQUENCY_FILE)
    counts: dict[str, int] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            word, _, count = line.partition(" ")
            counts[word] = int(count)
    return counts


@lru_cache(maxsize=65536)
def is_english(word: str) -> bool:
    """Whether `word` is an English word: in the frequency list, or a form simplemma's English
    lexicon knows (the list lacks "math", "selfie", "emoji", which are no typos of "match")."""
    return word in english() or (word.isalpha() and simplemma.is_known(word, lang="en"))


@lru_cache(maxsize=65536)
def rarity(word: str) -> float:
    """How little an English word is used, 0 (the commonest) to 1 (rare or not English)."""
    counts = english()
    top = _top_count()
    count = max(counts.get(word, 0), counts.get(lemma(word), 0))
    if not count:
        return 1.0
    return min(1.0, max(0.0, math.log10(top / count) / RARITY_SPAN))


# Counts span about eight powers of ten; a word a millionth as common as "the" counts as rare.
RARITY_SPAN = 6.0


@cache
def _top_count() -> int:
    return max(english().values())


LETTERS = "abcdefghijklmnopqrstuvwxyz"


@lru_cache(maxsize=65536)
def english_spelling(word: str) -> str | None:
    """The commonest English word one edit (a letter dropped, added, changed or two swapped)
    from a misspelt `word`; None when it is English already or nothing is that close."""
    if len(word) < 3 or not word.isalpha() or is_english(word):
        return None
    counts = english()
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = {a + b[1:] for a, b in splits if b}
    edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    edits |= {a + c + b[1:] for a, b in splits if b for c in LETTERS}
    edits |= {a + c + b for a, b in splits for c in LETTERS}
    found = [edit for edit in edits if edit in counts]
    if not found and len(word) >= MIN_DOUBLING_LENGTH:
        # The commonest misspelling two edits away: a doubled letter single and a single one
        # doubled ("dissapear", "embarasing", "tommorrow").
        found = [edit for edit in doublings(word, times=2) if edit in counts]
    if len(word) == 3:
        # Three letters: a typo of a function word ("teh"), or a name or acronym the
        # dictionary lacks ("ceo" is no typo of "co").
        found = [edit for edit in found if edit in STOPWORDS]
    return max(found, key=counts.__getitem__) if found else None


MIN_DOUBLING_LENGTH = 6


def doublings(word: str, *, times: int) -> set[str]:
    """`word` with up to `times` letters doubled or doubled letters made single."""
    found = {word}
    for _ in range(times):
        found |= {
            variant
            for each in found
            for place in range(len(each))
            for variant in (
                each[: place + 1] + each[place:],  # double the letter at `place`
                each[:place] + each[place + 1 :]
                if place + 1 < len(each) and each[place] == each[place + 1]
                else each,
            )
        }
    return found - {word}


def edit_distance(a: str, b: str, *, limit: int) -> int:
    """Damerau-Levenshtein (adjacent swaps count once) distance, giving up above `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


# Every lesson in the catalogue is about AI, and learners call it by a product's name ("can
# chatgpt write my timeline") or a child's word ("the robot asked where I live"): where a lesson
# never uses the name, it means the chatbot or the AI the lesson talks about.
AI_NAME_TEXT = """
    chatgpt gpt gemini claude copilot bard grok deepseek perplexity llama mistral bot bots
    robot robots openai anthropic
"""
AI_NAMES = frozenset(AI_NAME_TEXT.split())
# ... but a lesson that names products itself ("ChatGPT keeps chats for 30 days") speaks for
# those: a question about another ("does deepseek train on what I type") asks what it never says.
# A child's word for any of them is no product: "the bot" is the chatbot on every lesson.
AI_KINDS = frozenset({"bot", "bots", "robot", "robots"})
PRODUCTS = frozenset(term(name) for name in AI_NAMES - AI_KINDS)
# What a lesson calls them, most particular first.
AI_WORDS = ("chatbot", "ai")
# Verbs that, before "out", mean coming to know ("figure out", "find out", "work out"): how to
# tell, not a topic of their own.
FINDING_OUT = frozenset(
    {"figure", "figuring", "figured", "find", "finding", "found", "work", "working", "worked"}
)

# How short or plain an answer should be ("short version pls", "in simple terms"): a request
# about the reply, no topic.
BREVITY_WORDS = frozenset(
    {"short", "shorter", "quick", "simple", "simpler", "brief", "plain", "easy"}
)
BREVITY_OF = frozenset({"version", "answer", "terms", "words", "english", "explanation"})

# What opens a message before it asks ("wait what happened with …", "whoa so is that real"):
# surprise, not a topic.
INTERJECTIONS = frozenset({"wait", "whoa", "woah", "wow", "huh", "hold"})
# ... alone or after other openers ("ok so wait"), never after the question's own words ("should
# I wait").
FILLERS = frozenset({"ok", "okay", "so", "oh", "um", "uh", "hmm", "and", "but", "like", "lol"})
# The learner having read the lesson ("after reading this", "ok i read it, so …"): about the
# page itself, not a topic in it.
READ_THE_LESSON = re.compile(
    r"(?:\b(?:read|reading|finished|finishing)\s+(?:this|it|(?:the|this)\s+(?:whole\s+)?"
    r"(?:lesson|page|article|thing))|\b(?:after|from)\s+(?:this|the)\s+(?:lesson|page|one))\b"
    r"(?=\s*(?:$|[,.!?;]|so\b|now\b|what\b|and\b|but\b))",
    re.I,
)

# Words that ask about an aspect of a thing rather than name it: in "what is the purpose of
# a postmortem" the thing is the postmortem.
FRAME_TEXT = """
    purpose purposes goal goals point aim aims main idea ideas reason reasons role roles type
    types part parts benefit benefits advantage advantages disadvantage disadvantages
    importance key basic basics concept concepts overview summary gist definition difference
    differences use uses
"""
FRAME_WORDS = frozenset(FRAME_TEXT.split())
# Words that name a person, a time and an amount: what "who", "when" and "how much" ask
# for, and words of one kind a question may use for another ("my mum" for "a grown-up").
PERSON_TEXT = """
    person people someone somebody anyone everyone nobody who whoever team owner engineer
    grown grownup adult kid child children
    manager reviewer lead leader leadership staff user customer adult grown-up parent teacher
    friend counselor counsellor student author human colleague role facilitator expert lawyer
    legal officer company organisation organization government regulator he she they them
    principal coach mentor doctor nurse police family guardian sibling brother sister mom mum
    dad mother father boss founder researcher writer editor publisher group buddy mate pal
    bestie bff teammate
"""
PERSON_TERMS = frozenset(term(word) for word in PERSON_TEXT.split())
# People a learner names in their own words ("my dad", "my boss"), which a lesson may call by
# another ("a grown-up", "the team lead"): individuals, not organisations.
PEOPLE_TEXT = """
    person people grown grownup adult kid child children parent carer teacher friend
    classmate student colleague coworker manager boss lead leader reviewer engineer
    principal coach mentor tutor doctor nurse family guardian sibling brother sister mom mum
    dad mother father grandparent grandma grandpa granny aunt uncle cousin neighbour neighbor
    buddy mate pal bestie bff teammate
"""
PEOPLE_TERMS = frozenset(term(word) for word in PEOPLE_TEXT.split())
TIME_TEXT = """
    before after during when while until once then first immediately hour minute second day
    week month year time soon now later always never every whenever today tonight tomorrow
    yesterday date deadline early late moment start end right away within since again next
    last ago january february march april may june july august september october november
    december monday tuesday wednesday thursday friday saturday sunday morning evening night
"""
TIME_TERMS = frozenset(term(word) for word in TIME_TEXT.split())
# Not "one", "each" or "every": "one student's code", "each teacher's rules" give no amount.
AMOUNT_TEXT = """
    two three four five six seven eight nine ten eleven twelve twenty thirty hundred
    thousand million billion half dozen several few many much most percent amount number
    count all none
"""
AMOUNT_TERMS = frozenset(term(word) for word in AMOUNT_TEXT.split())
