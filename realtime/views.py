from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET

from realtime import streams
from realtime.validation import parse_id


@login_required
@require_GET
def history(request):
    """The stream log over HTTP: for gap repair and clients without websockets.

    GET /live/history/?stream=thread:5&after=120 -> {"stream", "head", "events", "reset"}.
    At most REPLAY_LIMIT events come back; "reset" says the client missed more than that
    and should reload the page instead.
    """
    name = request.GET.get("stream", "")
    stored = streams.storage_key(request.user, name)
    if stored is None or not streams.visible_to(request.user, stored):
        raise Http404("There is no such stream.")
    after = parse_id(request.GET.get("after", "0"), minimum=0)
    if after is None:
        return JsonResponse(
            {"error": "bad_request", "detail": "'after' is a whole number."}, status=400
        )
    head = streams.head(stored)
    reset = after > head or head - after > streams.REPLAY_LIMIT
    events = [] if reset else streams.events_after(stored, after)
    return JsonResponse({"stream": name, "head": head, "events": events, "reset": reset})
