"""Evidence: a therapy class's declared stage is the one its studies reach."""
from __future__ import annotations

from ..corpus import DESIGN_STAGE, STAGES, Corpus, study_stage
from ..schema import Schemas
from .base import at, named_in_unreadable_files, rule


@rule("stage-unsupported")
def class_stage_matches_studies(corpus: Corpus, schemas: Schemas):
    unreadable = named_in_unreadable_files(corpus)
    for c in corpus.all("therapy-class"):
        declared = c.get("evidence_stage")
        if declared not in STAGES or (unreadable and c.id in unreadable):
            continue  # (a study of the class that could not be read may be the one that reaches it)
        studies = [s for s in corpus.studies_by_class.get(c.id, []) if s.get("design") in DESIGN_STAGE]
        reached = max((STAGES.index(study_stage(s)) for s in studies), default=-1)
        if STAGES.index(declared) > reached and not _maybe_unseen_study(corpus, c.id):
            best = STAGES[reached] if reached >= 0 else "none"
            yield at(c, ("evidence_stage",), "stage-unsupported",
                      f"evidence_stage is '{declared}', but no study of this class reaches it (highest: {best}); "
                      "add the study that shows it or lower the stage")
        elif STAGES.index(declared) < reached:
            top = [s.id for s in studies if STAGES.index(study_stage(s)) == reached]
            yield at(c, ("evidence_stage",), "stage-unsupported",
                      f"evidence_stage is '{declared}', but {', '.join(top[:3])} reach '{STAGES[reached]}'; "
                      "raise evidence_stage")


def _maybe_unseen_study(corpus: Corpus, cid: str) -> bool:
    """Could a study that is not in the corpus (unreadable, or failed its schema) be of this class?"""
    if corpus.unreadable["study"]:
        return True
    family = set(corpus.class_and_descendants(cid))
    for s in corpus.set_aside["study"].values():
        named = s.data.get("classes")
        if not isinstance(named, list) or family & {x for x in named if isinstance(x, str)}:
            return True
    return False
