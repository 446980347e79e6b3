"""What the GIFT and Moodle XML parsers give for a question: the dict with a format's
defaults, and its options and numeric answers."""


def parsed(qtype, name, text, **fields):
    result = {
        "type": qtype,
        "name": name,
        "text": text,
        "general_feedback": "",
        "default_mark": 1.0,
        "penalty": 0.3333333,
        "tags": [],
        "category": None,
        "shuffle": False,
        "choices": [],
        "correct": None,
        "numeric": [],
        "case_sensitive": False,
    }
    assert set(fields) <= set(result)
    return result | fields


def option(text, percent=0.0, feedback="", match=""):
    return {"text": text, "match": match, "percent": percent, "feedback": feedback}


def number(value, tolerance=0.0, percent=100.0, feedback=""):
    return {"value": value, "tolerance": tolerance, "percent": percent, "feedback": feedback}
