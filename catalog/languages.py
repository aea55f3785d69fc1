"""Language codes: mteb's ISO 639-3 + script tags ('zho-Hans', 'python-Code') -> catalog ISO 639-1 codes.

Shared by the evidence build (task slices) and anything else that reads mteb metadata, so every part of the
catalog speaks the same codes ('zh', 'en', ...). Codes without a 639-1 form stay 3-letter ('yue', 'ast').
"""

from __future__ import annotations

ISO3_TO_1 = {
    "afr": "af", "amh": "am", "ara": "ar", "arb": "ar", "asm": "as", "aze": "az", "azj": "az", "bel": "be",
    "ben": "bn", "bod": "bo", "bos": "bs", "bre": "br", "bul": "bg", "cat": "ca", "ces": "cs", "cmn": "zh",
    "cos": "co", "cym": "cy", "dan": "da", "deu": "de", "ell": "el", "eng": "en", "epo": "eo", "est": "et",
    "eus": "eu", "fas": "fa", "pes": "fa", "fin": "fi", "fra": "fr", "fry": "fy", "gla": "gd", "gle": "ga",
    "glg": "gl", "guj": "gu", "hat": "ht", "hau": "ha", "heb": "he", "hin": "hi", "hrv": "hr", "hun": "hu",
    "hye": "hy", "ibo": "ig", "ind": "id", "isl": "is", "ita": "it", "jav": "jv", "jpn": "ja", "kan": "kn",
    "kat": "ka", "kaz": "kk", "khm": "km", "kin": "rw", "kir": "ky", "kor": "ko", "kur": "ku", "lao": "lo",
    "lat": "la", "lav": "lv", "lin": "ln", "lit": "lt", "ltz": "lb", "lug": "lg", "mal": "ml", "mar": "mr",
    "mkd": "mk", "mlg": "mg", "mlt": "mt", "mon": "mn", "mri": "mi", "msa": "ms", "mya": "my", "nep": "ne",
    "nld": "nl", "nno": "nn", "nob": "nb", "nor": "no", "nya": "ny", "ori": "or", "orm": "om", "pan": "pa",
    "pol": "pl", "por": "pt", "pus": "ps", "que": "qu", "ron": "ro", "run": "rn", "rus": "ru", "san": "sa",
    "sin": "si", "slk": "sk", "slv": "sl", "smo": "sm", "sna": "sn", "snd": "sd", "som": "so", "sot": "st",
    "spa": "es", "sqi": "sq", "srp": "sr", "sun": "su", "swa": "sw", "swh": "sw", "swe": "sv", "tam": "ta",
    "tat": "tt", "tel": "te", "tgk": "tg", "tgl": "tl", "fil": "tl", "tha": "th", "tir": "ti", "tuk": "tk",
    "tur": "tr", "uig": "ug", "ukr": "uk", "urd": "ur", "uzb": "uz", "vie": "vi", "wol": "wo", "xho": "xh",
    "yid": "yi", "yor": "yo", "zho": "zh", "zul": "zu",
}  # fmt: skip
LANGUAGE_NAMES = {
    "en": "English",
    "zh": "Chinese",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "ja": "Japanese",
    "ko": "Korean",
    "ru": "Russian",
    "ar": "Arabic",
    "pt": "Portuguese",
    "it": "Italian",
    "hi": "Hindi",
    "nl": "Dutch",
    "pl": "Polish",
    "tr": "Turkish",
    "vi": "Vietnamese",
    "id": "Indonesian",
    "sv": "Swedish",
    "mul": "multiple languages",
}
CODE = "code"
"""Slice key for programming-language subsets ('python-Code', ...): code search is one evidence pool."""


def iso1(tag: str) -> str:
    """'zho-Hans' -> 'zh', 'eng-Latn' -> 'en', 'python-Code' -> 'code', 'yue-Hant' -> 'yue'."""
    lang, _, script = tag.partition("-")
    if script == "Code":
        return CODE
    return ISO3_TO_1.get(lang, lang)


def slice_key(tags: list[str] | tuple[str, ...]) -> str:
    """The evidence slice of one hf_subset: its languages, sorted and joined ('zh', 'en-zh' cross-lingual)."""
    return "-".join(sorted({iso1(t) for t in tags})) or "und"


def language_name(code: str) -> str:
    """'zh' -> 'Chinese'; unknown codes are shown as given."""
    return LANGUAGE_NAMES.get(code, code)
