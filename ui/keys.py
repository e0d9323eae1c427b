"""Session-state keys, in one place: widget keys of the shared widgets (:class:`K`, the settings
among them are the schema's names) and keys of values that are not widgets (:class:`S`)."""


class K:
    """Widget keys."""

    PRESET = "preset"
    N = "n"
    NOISE = "noise"
    SEED = "seed"
    BETA = "beta"
    LOSS = "loss"
    PROGRAM = "program"
    PRUNE = "prune"
    TEST = "test"
    PATTERNS = "patterns"
    SAMPLES = "optimum_samples"

    DRAW_CLASS = "draw_class"
    CANVAS = "canvas"
    CLEAR = "clear_canvas"
    GENERATE = "generate"
    UPLOAD = "upload_csv"
    DOWNLOAD = "download_csv"
    UNDO = "undo_data"


class S:
    """Session-state keys that are not widgets."""

    DATA = "_data"
    SOURCE = "_data_source"  # "preset", "drawing" or "upload"
    DATA_SETTINGS = "_data_settings"  # the preset settings the data were generated with
    MADE_WITH = "_data_made_with"  # the preset settings the current preset data were made with
    HISTORY = "_data_history"
    CANVAS_OBJECTS = "_canvas_objects"
    CANVAS_INITIAL = "_canvas_initial"
    CANVAS_SEEN = "_canvas_seen"
    CANVAS_VIEW = "_canvas_view"
    CANVAS_TASK = "_canvas_task"
    CANVAS_EXACT = "_canvas_exact"
    CANVAS_PROBLEM = "_canvas_problem"
    PAGE_DATA = "_page_data"  # set by a page that uses other data than the current data: what it uses
