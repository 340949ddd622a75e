"""The web side of making videos: what a member's press of a button records, in the database only.

Creating a video or a version of one, sending unconfirmed work again, giving up on it, deleting a video. Every spend
is keyed by its form's one-time token and checked against the budgets under their lock, and the work is handed to
the worker (``tasks.py``, which alone talks to kie.ai) in the same transaction: a double click, a resent form or a
crash can never make it twice, and nothing is lost once the member pressed the button.
"""

from __future__ import annotations

import logging
import random
import secrets
import uuid
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from veoui.studio import rules, tasks
from veoui.studio.forms import ImageInput
from veoui.studio.models import Generation, InputImage, Pricing, Rendition, Resend, Status, TrackedWork
from veoui.team import audit, budgets

log = logging.getLogger(__name__)

Kind = Rendition.Kind


class DuplicateTokenError(Exception):
    """The form's one-time token already made something else (someone else's, or for another video or kind):
    nothing is made, and the form must be reloaded."""


# --- videos ---------------------------------------------------------------------------------------------


def variation_seeds(seed: int | None, count: int) -> list[int | None]:
    """Distinct seeds for ``count`` videos: seed, seed+1... from a given one, else random ones (kie.ai picks one
    itself for a single video without a seed)."""
    if count == 1:
        return [seed]
    span = rules.SEED_MAX - rules.SEED_MIN + 1
    if seed is None:
        return [rules.SEED_MIN + n for n in random.SystemRandom().sample(range(span), count)]
    return [rules.SEED_MIN + (seed - rules.SEED_MIN + n) % span for n in range(count)]


def group_token(token: uuid.UUID, index: int) -> uuid.UUID:
    """The first video keeps the form's token; its siblings get tokens derived from it, so the whole group is
    keyed by that one token (a double submit finds the first and creates nothing)."""
    return token if index == 0 else uuid.uuid5(token, f"variation-{index}")


def create_generation(
    *,
    owner: AbstractBaseUser,
    mode: str,
    data: dict,
    images: list[ImageInput],
    source: Generation | None = None,
    how: str = "studio",
) -> tuple[Generation, bool]:
    """Save the generation(s) and their tasks in one transaction; the same token twice gives the first one back.

    With ``data["count"]`` above 1, that many variations are saved together as one group, with distinct seeds.
    ``source`` and ``how`` ("retry", "rerun", "vary") say, for the audit log, which video it was made again from.
    """
    token = data["submission_token"]
    existing = made_with(token, owner)
    if existing is not None:
        return existing, False
    pricing = Pricing.current()
    count = int(data.get("count") or 1)
    seeds = variation_seeds(data.get("seed"), count)
    group = uuid.uuid4() if count > 1 else None
    try:
        with transaction.atomic():
            # Simultaneous submits queue here, so together they can't spend more than is left, and the same form
            # sent twice at once finds the first one's videos once it is its turn.
            budgets.lock(owner)
            existing = made_with(token, owner)
            if existing is not None:
                return existing, False
            project = data.get("project")
            budgets.reserve(  # raises budgets.OverBudget
                owner, pricing.for_model(data["model"]), count=count, project_id=project.pk if project else None
            )
            made = [
                save_generation(owner, mode, data, images, pricing, seed, group_token(token, index), group)
                for index, seed in enumerate(seeds)
            ]
            generation = made[0]
            details = {"how": how, "model": generation.model, "count": count}
            if source is not None:
                details["from"] = str(source.uuid)
            audit.about_video(
                audit.Kind.SPENT,
                actor=owner,
                video=generation,
                credits=sum(g.estimated_credits for g in made),
                **details,
            )
    except IntegrityError:
        # Two requests with the same token raced; the first one won and is the member's generation.
        return made_with(token, owner), False
    log.info("generation created id=%s mode=%s model=%s count=%d", generation.uuid, mode, generation.model, count)
    return generation, True


def made_with(token: uuid.UUID, owner: AbstractBaseUser) -> Generation | None:
    """The generation a form's one-time token already made, if any; someone else's is refused."""
    existing = Generation.objects.filter(submission_token=token).first()
    if existing is not None and existing.owner_id != owner.pk:
        raise DuplicateTokenError
    return existing


def save_generation(
    owner: AbstractBaseUser,
    mode: str,
    data: dict,
    images: list[ImageInput],
    pricing: Pricing,
    seed: int | None,
    token: uuid.UUID,
    group: uuid.UUID | None,
) -> Generation:
    generation = Generation.objects.create(
        owner=owner,
        mode=mode,
        model=data["model"],
        prompt=data["prompt"],
        aspect_ratio=data["aspect_ratio"],
        seed=seed,
        watermark=data.get("watermark", ""),
        enable_translation=data.get("enable_translation", False),
        visibility=data.get("visibility") or Generation.Visibility.TEAM,
        submission_token=token,
        group=group,
        project=data.get("project"),
        spend_project=data.get("project"),
        estimated_credits=pricing.for_model(data["model"]),
        next_check_at=timezone.now(),
    )
    for image in images:
        row = InputImage(
            generation=generation,
            position=image.position,
            role=rules.role_for(mode, image.position, len(images)),
            source_url=image.url,
            width=image.width,
            height=image.height,
        )
        if image.file is not None:
            image.file.seek(0)
            row.file.save(image.file.name or "picture", image.file, save=False)
        row.save()
    # The task row lives in the same database, so it commits (or not) together with the generation:
    # a crash can't leave a generation that no worker will ever pick up.
    tasks.submit_generation.enqueue(generation_id=generation.pk)
    return generation


def reuse_images(generation: Generation) -> list[ImageInput]:
    """The pictures of an earlier generation, for a new one with the same settings."""
    images = []
    for image in generation.images.all():
        if image.file:
            with image.file.open("rb") as handle:
                content = ContentFile(handle.read(), name=Path(image.file.name).name)
            images.append(ImageInput(image.position, file=content, width=image.width, height=image.height))
        else:
            images.append(ImageInput(image.position, url=image.source_url))
    return images


def rerun_data(generation: Generation, token: object, *, vary: bool = False) -> dict:
    """The settings of ``generation`` for a new one; ``vary`` picks a new random seed (never the same one)."""
    seed = generation.seed
    if vary:
        previous = generation.seed or generation.result_seed
        seed = previous
        while seed == previous:
            seed = secrets.randbelow(rules.SEED_MAX - rules.SEED_MIN + 1) + rules.SEED_MIN
    return {
        "submission_token": token,
        "model": generation.model,
        "prompt": generation.prompt,
        "aspect_ratio": generation.aspect_ratio,
        "seed": seed,
        "watermark": generation.watermark,
        "enable_translation": generation.enable_translation,
        "visibility": generation.visibility,
        "project": generation.project,  # made again in the project it is in now, and charged to it
    }


# --- versions: 1080P, 4K and extensions --------------------------------------------------------------------


def price(kind: str, model: str = "") -> Decimal:
    pricing = Pricing.current()
    if kind == Kind.HD:
        return pricing.upgrade_1080p
    if kind == Kind.UHD:
        return pricing.upgrade_4k
    return pricing.for_model(model)


UPGRADES = (Kind.HD, Kind.UHD)


class AlreadyOrdered(Exception):
    """This video's 1080P or 4K version is already in the making or made; ``rendition`` is it."""

    def __init__(self, rendition: Rendition) -> None:
        super().__init__(str(rendition.uuid))
        self.rendition = rendition


def cost_of(work: Generation | Rendition) -> Decimal:
    """What the same work costs when it is asked for again now (Re-run, Try again, Send it again)."""
    if isinstance(work, Rendition):
        return price(work.kind, work.model)
    return Pricing.current().for_model(work.model)


def orderable(generation: Generation) -> set[str]:
    """What kie.ai can make from this video at all (counting a 1080P or 4K version already ordered)."""
    if generation.status != Status.SUCCEEDED or not generation.kie_task_id:
        return set()
    return {Kind.HD, Kind.UHD, *([Kind.EXTEND] if generation.can_extend else [])}


def in_the_making(generation: Generation, kind: str) -> Rendition | None:
    """The 1080P or 4K version of this video already in the making or made (there is at most one of each)."""
    if kind not in UPGRADES:
        return None
    return generation.renditions.filter(kind=kind).exclude(status=Status.FAILED).first()


def offers(generation: Generation) -> dict:
    """What can be made from this video now, with what it costs: only what kie.ai allows."""
    kinds = orderable(generation)
    existing = {r.kind for r in generation.renditions.all() if r.status != Status.FAILED}
    pricing = Pricing.current()
    result = {}
    for kind in UPGRADES:
        if kind in kinds and kind not in existing:
            credits = price(kind)
            result[kind] = {"credits": credits, "usd": pricing.usd(credits)}
    if Kind.EXTEND in kinds:
        result[Kind.EXTEND] = {
            model: {"credits": pricing.for_model(model), "usd": pricing.usd(pricing.for_model(model))}
            for model in (generation.model, *[m for m in ("veo3_fast", "veo3_lite", "veo3") if m != generation.model])
        }
    return result


def ordered_with(token: uuid.UUID, owner: AbstractBaseUser, generation: Generation, kind: str) -> Rendition | None:
    """What this one-time token already ordered: honoured only for the same person, video and kind."""
    existing = Rendition.objects.filter(request_token=token).first()
    if existing is not None and (existing.owner_id, existing.generation_id, existing.kind) != (
        owner.pk,
        generation.pk,
        kind,
    ):
        raise DuplicateTokenError
    return existing


def create_rendition(
    *, owner: AbstractBaseUser, generation: Generation, kind: str, token: uuid.UUID, prompt: str = "", model: str = ""
) -> tuple[Rendition, bool]:
    """Record the member's confirmed request and its task together; the same token twice gives the first one.

    Raises DuplicateTokenError, AlreadyOrdered (a 1080P or 4K someone ordered first) or budgets.OverBudget.
    """
    existing = ordered_with(token, owner, generation, kind)
    if existing is not None:
        return existing, False
    credits = price(kind, model)
    try:
        with transaction.atomic():
            # Simultaneous orders queue here (upgrades and extensions spend from the same monthly budgets), so
            # each one sees what the ones before it ordered.
            budgets.lock(owner)
            existing = ordered_with(token, owner, generation, kind)
            if existing is not None:
                return existing, False
            if (taken := in_the_making(generation, kind)) is not None:
                raise AlreadyOrdered(taken)
            # Charged to the project the video is in now (read here: a move may have just happened).
            project_id = Generation.objects.filter(pk=generation.pk).values_list("project_id", flat=True).first()
            budgets.reserve(owner, credits, project_id=project_id)
            rendition = Rendition.objects.create(
                generation=generation,
                owner=owner,
                kind=kind,
                prompt=prompt,
                model=model if kind == Kind.EXTEND else "",
                request_token=token,
                spend_project_id=project_id,
                # 1080P and 4K are upgrades of kie.ai's task itself; an extension gets its own task id later.
                kie_task_id=generation.kie_task_id if kind != Kind.EXTEND else "",
                estimated_credits=credits,
                next_check_at=timezone.now(),
            )
            audit.about_video(
                audit.Kind.ORDERED_VERSION,
                actor=owner,
                video=generation,
                credits=credits,
                version=kind,
                version_id=str(rendition.uuid),
                **({"model": model} if model else {}),
            )
            tasks.submit_rendition.enqueue(rendition_id=rendition.pk)
    except IntegrityError:
        # Lost a race the locks above did not settle: the database's own rules (one token, one upgrade) did.
        existing = ordered_with(token, owner, generation, kind)
        if existing is not None:
            return existing, False
        if (taken := in_the_making(generation, kind)) is not None:
            raise AlreadyOrdered(taken) from None
        raise
    log.info("rendition created id=%s kind=%s generation=%s", rendition.uuid, kind, generation.uuid)
    return rendition, True


# --- the member's choices about work in the making --------------------------------------------------------


class NotUnconfirmed(Exception):
    """Nothing to send again: it was sent again already, given up on, or confirmed by kie.ai meanwhile."""


def booked_with(token: uuid.UUID, person: AbstractBaseUser, work: Generation | Rendition) -> bool:
    """Whether this button's token already sent this work again; a token used for anything else is refused."""
    resend = Resend.objects.filter(token=token).first()
    if resend is None:
        return False
    if resend.owner_id != person.pk or resend.work != work:
        raise DuplicateTokenError
    return True


def send_again(work: Generation | Rendition, person: AbstractBaseUser, token: uuid.UUID) -> bool:
    """Send ``work`` again once for this token; False when the token already did. Raises NotUnconfirmed,
    budgets.OverBudget or DuplicateTokenError, and then nothing is sent nor booked."""
    if booked_with(token, person, work):
        return False
    credits = cost_of(work)
    is_rendition = isinstance(work, Rendition)
    try:
        with transaction.atomic():
            budgets.lock(person)
            if booked_with(token, person, work):
                return False
            budgets.reserve(person, credits, project_id=work.spend_project_id)
            if not work.send_again():
                raise NotUnconfirmed
            Resend.objects.create(
                token=token,
                owner=person,
                generation=work.generation if is_rendition else work,
                rendition=work if is_rendition else None,
                estimated_credits=credits,
                spend_project_id=work.spend_project_id,
            )
            generation = work.generation if is_rendition else work
            audit.about_video(
                audit.Kind.SPENT,
                actor=person,
                video=generation,
                credits=credits,
                how="send_again",
                **({"version": work.kind} if is_rendition else {}),
            )
            tasks.submit_later(work)
    except IntegrityError:
        if booked_with(token, person, work):  # the same button, pressed twice at the same moment
            return False
        raise
    log.info("sent again id=%s credits=%s", work.uuid, credits)
    return True


def retry_archive_now(work: TrackedWork) -> None:
    """The member asked: try again at once (the automatic retries go on regardless)."""
    if work.is_only_on_kie and not work.archive_gone:
        tasks.archive_later(work)


def can_delete(generation: Generation) -> bool:
    """Only work the worker no longer touches: otherwise a file could be written after its removal."""
    settled = {Status.SUCCEEDED, Status.FAILED, Status.UNCONFIRMED}
    return generation.status in settled and all(r.status in settled for r in generation.renditions.all())


def delete_generation(generation: Generation, *, by: AbstractBaseUser) -> bool:
    """Remove the video, poster, pictures and versions' files from storage, then the rows.

    The spend stays counted: budgets sum what was charged this month, and deleting must not give credits back.
    That is why the row is kept (hidden everywhere, ``deleted_at`` set) with its files gone.
    """
    names = [generation.video.name, generation.poster.name]
    names += [image.file.name for image in generation.images.all()]
    for rendition in generation.renditions.all():
        names += [rendition.video.name, rendition.poster.name]
    with transaction.atomic():
        # Conditional on not deleted yet: the same Delete pressed twice deletes (and is logged) once.
        if not generation.update_if({"deleted_at": None}, deleted_at=timezone.now(), video="", poster=""):
            return False
        generation.renditions.update(video="", poster="")
        generation.images.update(file="")
        audit.about_video(
            audit.Kind.DELETED,
            actor=by,
            video=generation,
            **({"owner": generation.owner.get_username()} if generation.owner_id != by.pk else {}),
        )
    storage = generation.video.storage
    for name in filter(None, names):
        try:
            storage.delete(name)
        except OSError:
            log.warning("could not delete file id=%s name=%s", generation.uuid, name)
    log.info("deleted id=%s files=%d", generation.uuid, len([n for n in names if n]))
    return True


def set_visibility(generation: Generation, choice: str, *, by: AbstractBaseUser) -> bool:
    """Who sees the video: the team or its owner only. False when it already was so (nothing changed)."""
    with transaction.atomic():
        changed = Generation.objects.filter(pk=generation.pk).exclude(visibility=choice).update(visibility=choice)
        if changed:
            audit.about_video(
                audit.Kind.VISIBILITY_CHANGED,
                actor=by,
                video=generation,
                **{"from": generation.visibility, "to": choice},
            )
    return bool(changed)
