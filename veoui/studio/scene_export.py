"""One MP4 from a scene's plan: shots trimmed, joined by cuts or crossfades, an end card, in one ffmpeg run.

The plan is plain data (files, in and out points, joins, the end card, the output size), so this module needs
no models and can be checked on its own. Every shot is brought to the output's frame rate, size (letterboxed,
never stretched) and sound format before the joins; a crossfade blends picture and sound alike and shortens the
scene by its length. In and out points are rounded to whole frames, so the file is as long as the plan says.

ffmpeg runs at a lower CPU priority with a thread cap, so an export never starves the rest of the worker. It
reports how far it is (``-progress``), and between two reports the caller may cancel: ffmpeg is killed and its
partial file removed. The finished file is moved into place whole, so a half-written export is never seen.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg
from PIL import Image, ImageColor, ImageDraw, ImageFont, ImageOps

SIZES = {"720p": (1280, 720), "1080p": (1920, 1080), "4k": (3840, 2160)}
ASPECT_RATIOS = ("16:9", "9:16")
FPS = 24  # Veo's own frame rate
SAMPLE_RATE = 48000
MAX_CROSSFADE_SECONDS = 2.0
END_CARD_SECONDS = (1.0, 5.0)
END_CARD_FADE_SECONDS = 0.5
MAX_END_CARD_TEXT = 200
NICENESS = 10
PR_SET_PDEATHSIG = 1
# Fonts that draw an end card's text in every language veoui speaks, best first (Noto CJK: face 2 is Chinese).
FONTS = (
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2),
    (Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"), 0),
)

_DURATION = re.compile(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)")
_STREAM = re.compile(r"Stream #\S+.*?: (Video|Audio): ")


class PlanError(ValueError):
    """The plan cannot be exported as it stands; the message says what to change."""


class ExportError(Exception):
    """ffmpeg failed; the message carries the end of its output."""


class ExportCancelled(Exception):
    """The export was cancelled; nothing was left behind."""


@dataclass(frozen=True)
class Shot:
    path: Path
    start: float  # the in point, in seconds of the clip
    end: float  # the out point
    muted: bool = False


@dataclass(frozen=True)
class EndCard:
    seconds: float
    picture: Path | None = None  # shown whole, centred on ``colour``
    text: str = ""  # or a line of text on ``colour``
    colour: str = "#000000"


@dataclass(frozen=True)
class Plan:
    shots: tuple[Shot, ...]
    joins: tuple[float, ...] = ()  # crossfade seconds after each shot but the last; 0 is a cut
    end_card: EndCard | None = None
    resolution: str = "1080p"
    aspect_ratio: str = "16:9"

    @property
    def size(self) -> tuple[int, int]:
        width, height = SIZES[self.resolution]
        return (height, width) if self.aspect_ratio == "9:16" else (width, height)

    @property
    def duration(self) -> float:
        """The length of the exported file, in seconds."""
        frames = sum(_frames(shot.end) - _frames(shot.start) for shot in self.shots)
        frames -= sum(_frames(fade) for fade in self.joins)
        if self.end_card is not None:
            frames += _frames(self.end_card.seconds)
        return frames / FPS


Progress = Callable[[float], None]
Cancelled = Callable[[], bool]


def export(
    plan: Plan,
    output: Path,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    threads: int = 2,
) -> None:
    """Write ``plan`` to ``output`` as an MP4 (H.264 and AAC, index first).

    ``progress`` hears the fraction done, from 0 to 1, never going back; ``cancelled`` is asked between
    ffmpeg's reports and, when it says yes, the export stops with ExportCancelled and leaves no file.
    PlanError says what in the plan can't be done; ExportError that ffmpeg failed.
    """
    sounds = check(plan)
    report = progress or (lambda fraction: None)
    # A fixed place beside the output: an export interrupted by a crash is cleared when it is run again.
    work = output.with_name(f".{output.name}.export")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        card = None
        if plan.end_card is not None:
            card = work / "end-card.png"
            end_card_picture(plan.end_card, plan.size).save(card, compress_level=1)
        partial = work / "scene.mp4"
        report(0.0)
        _run(command(plan, sounds, card, partial, threads), plan.duration, work, report, cancelled)
        os.replace(partial, output)
        report(1.0)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def check(plan: Plan) -> list[bool]:
    """PlanError unless every part of ``plan`` can be made; for each shot, whether its clip has sound."""
    if not plan.shots:
        raise PlanError("A scene needs at least one shot.")
    if plan.resolution not in SIZES:
        raise PlanError(f"The size must be one of {', '.join(SIZES)}.")
    if plan.aspect_ratio not in ASPECT_RATIOS:
        raise PlanError(f"The aspect ratio must be one of {', '.join(ASPECT_RATIOS)}.")
    if len(plan.joins) != len(plan.shots) - 1:
        raise PlanError("Every shot but the last needs a join (a cut or a crossfade).")
    sounds = []
    for number, shot in enumerate(plan.shots, start=1):
        duration, has_sound = _clip_facts(shot.path, number)
        if not 0 <= shot.start < shot.end:
            raise PlanError(f"Shot {number} must start before it ends.")
        if _frames(shot.end) > _frames(duration):
            raise PlanError(f"Shot {number} ends at {shot.end:g} s, but its clip is {duration:g} s long.")
        sounds.append(has_sound)
    for number, fade in enumerate(plan.joins, start=1):
        if not 0 <= fade <= MAX_CROSSFADE_SECONDS:
            raise PlanError(f"A crossfade lasts at most {MAX_CROSSFADE_SECONDS:g} s (join {number}).")
    fades = [0.0, *plan.joins, 0.0]
    for number, shot in enumerate(plan.shots, start=1):
        length = _frames(shot.end) - _frames(shot.start)
        if length <= _frames(fades[number - 1]) + _frames(fades[number]):
            raise PlanError(f"Shot {number} is too short for its crossfades.")
    card = plan.end_card
    if card is not None:
        low, high = END_CARD_SECONDS
        if not low <= card.seconds <= high:
            raise PlanError(f"The end card shows for {low:g} to {high:g} seconds.")
        if (card.picture is None) == (not card.text.strip()):
            raise PlanError("The end card is a picture or a line of text.")
        if len(card.text) > MAX_END_CARD_TEXT:
            raise PlanError(f"The end card's text is at most {MAX_END_CARD_TEXT} characters.")
        try:
            ImageColor.getrgb(card.colour)
        except ValueError as error:
            raise PlanError(f"{card.colour!r} is not a colour.") from error
        if card.picture is not None and not card.picture.is_file():
            raise PlanError("The end card's picture is missing.")
    return sounds


def command(plan: Plan, sounds: list[bool], card: Path | None, output: Path, threads: int) -> list[str]:
    """The ffmpeg command line that exports ``plan`` (with its end card drawn at ``card``) to ``output``."""
    width, height = plan.size
    fit = (
        f"scale={width}:{height}:force_original_aspect_ratio=decrease,"
        f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,format=yuv420p"
    )
    sound = f"aresample={SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo"
    inputs: list[str] = []
    graph: list[str] = []
    for number, (shot, has_sound) in enumerate(zip(plan.shots, sounds, strict=True)):
        # The cap holds for decoding too: a 4K clip's decoder would otherwise take a thread per core.
        inputs += ["-threads", str(threads), "-i", str(shot.path)]
        start, end = _frames(shot.start), _frames(shot.end)
        length = (end - start) / FPS
        # The clip's own timestamps may not start at 0; the frame rate is made the scene's before cutting,
        # so the in and out points fall on whole frames. A clip's picture ending early holds its last frame.
        graph.append(
            f"[{number}:v]setpts=PTS-STARTPTS,fps={FPS},trim=start_frame={start}:end_frame={end},"
            f"setpts=PTS-STARTPTS,tpad=stop_mode=clone:stop={end - start},trim=end_frame={end - start},"
            f"{fit},settb=AVTB[v{number}]"
        )
        if has_sound and not shot.muted:
            graph.append(
                f"[{number}:a]asetpts=PTS-STARTPTS,{sound},atrim=start={start / FPS}:end={end / FPS},"
                f"asetpts=PTS-STARTPTS,apad=whole_dur={length},atrim=duration={length}[a{number}]"
            )
        else:
            graph.append(f"anullsrc=r={SAMPLE_RATE}:cl=stereo,{sound},atrim=duration={length}[a{number}]")
    picture, sound_label, done = "v0", "a0", (_frames(plan.shots[0].end) - _frames(plan.shots[0].start))
    for number, fade in enumerate(plan.joins, start=1):
        shot = plan.shots[number]
        frames = _frames(fade)
        joined_picture, joined_sound = f"vj{number}", f"aj{number}"
        if frames:
            offset = (done - frames) / FPS
            graph.append(
                f"[{picture}][v{number}]xfade=transition=fade:duration={frames / FPS}:offset={offset}[{joined_picture}]"
            )
            graph.append(f"[{sound_label}][a{number}]acrossfade=d={frames / FPS}:c1=tri:c2=tri[{joined_sound}]")
        else:
            graph.append(
                f"[{picture}][{sound_label}][v{number}][a{number}]concat=n=2:v=1:a=1[{joined_picture}][{joined_sound}]"
            )
        done += _frames(shot.end) - _frames(shot.start) - frames
        picture, sound_label = joined_picture, joined_sound
    if card is not None and plan.end_card is not None:
        frames = _frames(plan.end_card.seconds)
        index = len(plan.shots)
        inputs += ["-loop", "1", "-framerate", str(FPS), "-t", f"{frames / FPS}", "-i", str(card)]
        graph.append(
            f"[{index}:v]fps={FPS},trim=end_frame={frames},setpts=PTS-STARTPTS,{fit},"
            f"fade=t=in:d={END_CARD_FADE_SECONDS},settb=AVTB[vcard]"
        )
        graph.append(f"anullsrc=r={SAMPLE_RATE}:cl=stereo,{sound},atrim=duration={frames / FPS}[acard]")
        graph.append(f"[{picture}][{sound_label}][vcard][acard]concat=n=2:v=1:a=1[vend][aend]")
        picture, sound_label = "vend", "aend"
    return [
        *reporting_ffmpeg(),
        *inputs,
        "-filter_complex", ";".join(graph), "-filter_complex_threads", str(threads),
        "-map", f"[{picture}]", "-map", f"[{sound_label}]",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", "-r", str(FPS),
        "-c:a", "aac", "-b:a", "160k", "-ar", str(SAMPLE_RATE), "-ac", "2",
        "-threads", str(threads), "-movflags", "+faststart", "-f", "mp4", str(output),
    ]  # fmt: skip


def reporting_ffmpeg() -> list[str]:
    """ffmpeg, quiet but for its errors, telling how far it is on its standard output every half second."""
    return [
        imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
        "-nostats", "-progress", "pipe:1", "-stats_period", "0.5",
    ]  # fmt: skip


def clip_length(path: Path) -> float:
    """A clip's length in seconds; PlanError if it is missing or not a video."""
    return _clip_facts(path, 1)[0]


# The social formats, as width over height of the crop.
CROPS = {"square": 1.0, "4:5": 4 / 5}
GIF_SECONDS = 4.0
GIF_WIDTH = 480
GIF_FPS = 10
STILL_WIDTH = 1280


def reframe(
    source: Path,
    output: Path,
    shape: str,
    focus: tuple[float, float] = (0.5, 0.5),
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    threads: int = 2,
) -> None:
    """Crop an exported scene to ``shape`` (a key of CROPS) around ``focus`` (fractions of the frame), as an MP4."""
    if shape not in CROPS:
        raise PlanError(f"The shape must be one of {', '.join(CROPS)}.")
    ratio = CROPS[shape]
    x, y = (min(1.0, max(0.0, float(part))) for part in focus)
    # The largest crop of that shape the frame holds, in even pixels, moved as near the focus as the frame allows.
    crop = (
        f"crop=w=trunc(min(iw\\,ih*{ratio})/2)*2:h=trunc(min(ih\\,iw/{ratio})/2)*2"
        f":x=max(0\\,min(iw-ow\\,{x}*iw-ow/2)):y=max(0\\,min(ih-oh\\,{y}*ih-oh/2)),setsar=1"
    )
    command = [
        *reporting_ffmpeg(),
        "-threads", str(threads), "-i", str(source),
        "-vf", crop, "-filter_threads", str(threads),
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "160k", "-threads", str(threads), "-movflags", "+faststart", "-f", "mp4",
    ]  # fmt: skip
    _make(command, clip_length(source), output, progress, cancelled)


def gif(
    source: Path,
    output: Path,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    threads: int = 2,
) -> None:
    """A short, small looping GIF of the start of an exported scene, with a palette of its own."""
    seconds = min(GIF_SECONDS, clip_length(source))
    graph = (
        f"[0:v]fps={GIF_FPS},scale={GIF_WIDTH}:-2:flags=lanczos,split[a][b];"
        "[a]palettegen=stats_mode=diff[palette];[b][palette]paletteuse=dither=bayer:bayer_scale=4[out]"
    )
    command = [
        *reporting_ffmpeg(),
        "-threads", str(threads), "-t", f"{seconds}", "-i", str(source),
        "-filter_complex", graph, "-filter_complex_threads", str(threads), "-map", "[out]",
        "-loop", "0", "-f", "gif",
    ]  # fmt: skip
    _make(command, seconds, output, progress, cancelled)


def still(source: Path, output: Path, at: float = 0.0) -> None:
    """One frame of ``source`` at ``at`` seconds as a JPEG at most STILL_WIDTH wide: a picture to point at."""
    work = output.with_name(f".{output.name}.still.jpg")
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-hide_banner",
            "-nostdin",
            "-y",
            "-loglevel",
            "error",
            "-ss",
            f"{at}",
            "-i",
            str(source),
            "-frames:v",
            "1",
            "-vf",
            f"scale=min({STILL_WIDTH}\\,iw):-2",
            "-q:v",
            "3",
            "-f",
            "image2",
            str(work),
        ],  # fmt: skip
        capture_output=True,
        timeout=60,
        check=True,
        preexec_fn=_lower_priority,
    )
    os.replace(work, output)


def _make(command: list[str], duration: float, output: Path, progress: Progress | None, cancelled: Cancelled | None):
    """Run ``command`` (ffmpeg, its output file still to come) into ``output`` as export() does: whole or not at all."""
    report = progress or (lambda fraction: None)
    work = output.with_name(f".{output.name}.export")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        partial = work / f"made{output.suffix}"
        report(0.0)
        _run([*command, str(partial)], duration, work, report, cancelled)
        os.replace(partial, output)
        report(1.0)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def end_card_picture(card: EndCard, size: tuple[int, int]) -> Image.Image:
    """The end card as shown: the picture whole on the colour, or the text centred on it."""
    background = ImageColor.getrgb(card.colour)[:3]
    canvas = Image.new("RGB", size, background)
    if card.picture is not None:
        with Image.open(card.picture) as opened:
            picture = ImageOps.exif_transpose(opened).convert("RGBA")
        # A margin of the colour around it, as a logo wants.
        room = (int(size[0] * 0.8), int(size[1] * 0.8))
        picture = ImageOps.contain(picture, room, method=Image.Resampling.LANCZOS)
        # A logo's transparent parts show the colour.
        canvas.paste(picture, ((size[0] - picture.width) // 2, (size[1] - picture.height) // 2), picture)
        return canvas
    light = sum(background) / 3 > 140
    ink = (20, 20, 20) if light else (255, 255, 255)
    font, lines, line_height = _fitted(card.text.strip(), size)
    draw = ImageDraw.Draw(canvas)
    top = (size[1] - line_height * len(lines)) // 2
    for number, line in enumerate(lines):
        left = (size[0] - int(font.getlength(line))) // 2
        draw.text((left, top + number * line_height), line, font=font, fill=ink)
    return canvas


def _fitted(text: str, size: tuple[int, int]) -> tuple[ImageFont.FreeTypeFont, list[str], int]:
    """The largest font (down to a readable floor) at which ``text`` fits the card in at most four lines."""
    width = int(size[0] * 0.84)
    pixels = min(size) // 9
    while True:
        font = _font(pixels)
        lines = _wrap(text, font, width)
        if len(lines) <= 4 or pixels <= min(size) // 30:
            return font, lines[:4], int(pixels * 1.3)
        pixels = int(pixels * 0.85)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        # A run of Chinese has no spaces: a word too wide for a line breaks between its characters.
        pieces = [word] if font.getlength(word) <= width else list(word)
        for index, piece in enumerate(pieces):
            trial = f"{current}{' ' if current and index == 0 else ''}{piece}"
            if not current or font.getlength(trial) <= width:
                current = trial
            else:
                lines.append(current)
                current = piece
    if current:
        lines.append(current)
    return lines


def _font(pixels: int) -> ImageFont.FreeTypeFont:
    for path, index in FONTS:
        if path.is_file():
            try:
                return ImageFont.truetype(str(path), pixels, index=index)
            except OSError:
                continue
    return ImageFont.load_default(size=pixels)


def _frames(seconds: float) -> int:
    return round(seconds * FPS)


def _clip_facts(path: Path, number: int) -> tuple[float, bool]:
    """A clip's length and whether it has sound, read from ``ffmpeg -i`` (imageio-ffmpeg has no ffprobe)."""
    if not path.is_file():
        raise PlanError(f"Shot {number}'s video file is missing.")
    # With no output named, ffmpeg describes the input and exits non-zero: the description is all we need.
    found = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
        capture_output=True,
        timeout=60,
        check=False,
    ).stderr.decode("utf-8", "replace")
    duration = _DURATION.search(found)
    kinds = set(_STREAM.findall(found))
    if duration is None or "Video" not in kinds:
        raise PlanError(f"Shot {number}'s file is not a video ffmpeg can read.")
    hours, minutes, seconds = duration.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds), "Audio" in kinds


def _run(command: list[str], duration: float, work: Path, report: Progress, cancelled: Cancelled | None) -> None:
    done = 0.0
    with tempfile.TemporaryFile(dir=work) as errors:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
            preexec_fn=_lower_priority,
        )
        assert process.stdout is not None
        try:
            # ffmpeg writes a block of key=value lines every half second; out_time_us says how far it is.
            for raw in process.stdout:
                if cancelled is not None and cancelled():
                    raise ExportCancelled
                key, _, value = raw.decode("ascii", "replace").strip().partition("=")
                if key == "out_time_us" and value.isdigit():
                    fraction = min(0.99, int(value) / 1e6 / duration)
                    if fraction > done:
                        done = fraction
                        report(done)
            code = process.wait()
        except BaseException:
            # Cancelled, or the caller's progress report failed: ffmpeg must not run on.
            process.kill()
            process.wait()
            raise
        finally:
            process.stdout.close()
        if code != 0:
            errors.seek(0)
            raise ExportError(errors.read().decode("utf-8", "replace")[-2000:])


def _lower_priority() -> None:
    """In the ffmpeg child before it starts: a lower CPU priority, and death with the worker that started it."""
    os.nice(NICENESS)
    if sys.platform == "linux":
        # A worker killed mid-export gets the export again when it restarts; its old ffmpeg must not run on.
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
