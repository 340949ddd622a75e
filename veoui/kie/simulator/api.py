"""The api.kie.ai routes: read and validate a request, ask the engine, answer in kie.ai's envelope.

Validation uses the product's one rules table (``veoui.studio.rules``), so the simulator refuses exactly the
combinations the studio form refuses.
"""

from __future__ import annotations

from veoui.kie.simulator import contract
from veoui.kie.simulator.contract import Refusal
from veoui.kie.simulator.engine import Simulator
from veoui.kie.simulator.faults import TASK_FAILURE, Fault
from veoui.kie.simulator.tasks import EXTEND, GENERATE, Order, Outcome
from veoui.kie.simulator.wire import BadBody, Request, Response, envelope
from veoui.studio import rules


def generate(sim: Simulator, request: Request, fault: Fault | None) -> Response:
    order = generation_order(_json(request))
    task = sim.generate(order, _injected(fault, contract.GENERATE))
    return envelope(200, "success", {"taskId": task.task_id})


def extend(sim: Simulator, request: Request, fault: Fault | None) -> Response:
    body = _json(request)
    fields = {
        "taskId": _required_text(body, "taskId"),
        "prompt": _prompt(body),
        # extend names its models fast, quality and lite, not veo3_*.
        "model": _optional_text(body, "model") or "fast",
        "seeds": _seed(body),
        "waterMark": _optional_text(body, "watermark"),
        "callBackUrl": _callback_url(body),
    }
    if fields["model"] not in contract.EXTEND_MODELS:
        raise Refusal(422, "model must be one of fast, quality, lite.")
    source = sim.extend_source(fields["taskId"])
    # The extension keeps the shape of the video it continues.
    aspect_ratio = source.rendered.spec.aspect_ratio if source.rendered else source.order.aspect_ratio
    order = Order(
        kind=EXTEND,
        prompt=fields["prompt"],
        model=contract.EXTEND_MODELS[fields["model"]],
        generation_type=source.order.generation_type,
        aspect_ratio=aspect_ratio,
        seed=fields["seeds"],
        watermark=fields["waterMark"],
        callback_url=fields["callBackUrl"],
        source_task_id=source.task_id,
        echo={**fields, "aspectRatio": aspect_ratio},
    )
    task = sim.generate(order, _injected(fault, contract.EXTEND))
    return envelope(200, "success", {"taskId": task.task_id})


def record_info(sim: Simulator, request: Request, fault: Fault | None) -> Response:
    task_id = request.query.get("taskId", "").strip()
    if not task_id:
        raise Refusal(422, "taskId is required.")
    return envelope(200, "success", sim.record(task_id))


def get_1080p(sim: Simulator, request: Request, fault: Fault | None) -> Response:
    task_id = request.query.get("taskId", "").strip()
    if not task_id:
        raise Refusal(422, "taskId is required.")
    index = _index(request.query.get("index", "0"))
    code, msg, data = sim.upgrade_1080p(task_id, index, _injected(fault, contract.GET_1080P))
    return envelope(code, msg, data)


def get_4k(sim: Simulator, request: Request, fault: Fault | None) -> Response:
    body = _json(request)
    task_id = _required_text(body, "taskId")
    index = _index(body.get("index", 0))
    callback_url = _callback_url(body)
    code, msg, data = sim.upgrade_4k(task_id, index, callback_url, _injected(fault, contract.GET_4K))
    return envelope(code, msg, data)


def credit(sim: Simulator, request: Request, fault: Fault | None) -> Response:
    return envelope(200, "success", sim.credit())


def download_url(sim: Simulator, request: Request, fault: Fault | None) -> Response:
    url = _required_text(_json(request), "url")
    fresh = sim.fresh_url(url)
    if fresh is None:
        raise Refusal(404, "File not found.")
    return envelope(200, "success", fresh)


def generation_order(body: dict) -> Order:
    """A generate request checked field by field, then against the rules table."""
    prompt = _prompt(body)
    image_urls = body.get("imageUrls") or []
    if not isinstance(image_urls, list) or not all(isinstance(url, str) and url for url in image_urls):
        raise Refusal(422, "imageUrls must be a list of image URLs.")
    model = _optional_text(body, "model") or rules.FAST
    generation_type = _optional_text(body, "generationType") or (rules.FRAMES if image_urls else rules.TEXT)
    # The English docs say aspect_ratio, the Chinese ones aspectRatio: both are accepted.
    aspect_ratio = _optional_text(body, "aspect_ratio") or _optional_text(body, "aspectRatio")
    aspect_ratio = aspect_ratio or rules.LANDSCAPE
    seed = _seed(body)
    translate = body.get("enableTranslation", True)
    if not isinstance(translate, bool):
        raise Refusal(422, "enableTranslation must be true or false.")
    violations = rules.check(generation_type, model, aspect_ratio, len(image_urls), seed)
    if violations:
        raise Refusal(422, " ".join(violation.message for violation in violations))
    callback_url = _callback_url(body)
    watermark = _optional_text(body, "watermark")
    return Order(
        kind=GENERATE,
        prompt=prompt,
        model=model,
        generation_type=generation_type,
        aspect_ratio=aspect_ratio,
        image_urls=tuple(image_urls),
        seed=seed,
        watermark=watermark,
        callback_url=callback_url,
        echo={
            "aspectRatio": aspect_ratio,
            "callBackUrl": callback_url,
            "enableFallback": False,
            "enableTranslation": translate,
            "generationType": generation_type,
            "imageUrls": list(image_urls) or None,
            "model": model,
            "prompt": prompt,
            "seeds": seed,
            "waterMark": watermark,
        },
    )


def _json(request: Request) -> dict:
    try:
        return request.json
    except BadBody as error:
        raise Refusal(422, str(error)) from error


def _prompt(body: dict) -> str:
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise Refusal(422, "prompt is required.")
    if len(prompt) > rules.PROMPT_MAX_LENGTH:
        raise Refusal(422, f"prompt must be at most {rules.PROMPT_MAX_LENGTH} characters.")
    return prompt


def _seed(body: dict) -> int | None:
    seed = body.get("seeds")
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, int) or not rules.SEED_MIN <= seed <= rules.SEED_MAX:
        raise Refusal(422, f"seeds must be a whole number from {rules.SEED_MIN} to {rules.SEED_MAX}.")
    return seed


def _index(value: object) -> int:
    try:
        index = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError) as error:
        raise Refusal(422, "index must be a whole number.") from error
    if isinstance(value, bool) or index < 0:
        raise Refusal(422, "index must be a whole number.")
    return index


def _required_text(body: dict, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise Refusal(422, f"{name} is required.")
    return value.strip()


def _optional_text(body: dict, name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise Refusal(422, f"{name} must be a string.")
    return value or None


def _callback_url(body: dict) -> str | None:
    url = _optional_text(body, "callBackUrl")
    if url is not None and not url.startswith(("http://", "https://")):
        raise Refusal(422, "callBackUrl must be an http or https URL.")
    return url


def _injected(fault: Fault | None, endpoint: str) -> Outcome | None:
    """The failure a task_failure fault plants in the task or upgrade this request starts."""
    if fault is None or fault.kind != TASK_FAILURE:
        return None
    code = fault.params["error_code"]
    if endpoint in contract.UPGRADE_ENDPOINTS:
        message = fault.params["error_message"] or contract.message_for(code, endpoint)
    else:
        message = fault.params["error_message"] or contract.message_for(code)
    return Outcome(fault.params.get("success_flag", 3), code, message)
