"""`/v1/subscriptions`: signed webhooks and the other receivers, their deliveries and replays.

Plain `def` routes on the blocking client: they share their Redis code with the dispatcher and the
webhook job, and they are not on the ingest hot path.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response, status

from core import defaults, keys
from core.delivery import addresses, subscriptions, webhooks
from core.delivery.subscriptions import Delivery, Subscription, SubscriptionIn
from core.errors import ReplayRefused
from services.api.deps import DeliverySettingsDep, SyncRedisDep

router = APIRouter(prefix="/v1/subscriptions", tags=["webhooks"])


def _found(connection: SyncRedisDep, subscription_id: str) -> Subscription:
    subscription = subscriptions.get(connection, subscription_id)
    if subscription is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no subscription {subscription_id!r}")
    return subscription


def _hidden(subscription: Subscription) -> Subscription:
    return subscription.shown()


def _refused(spec: SubscriptionIn, settings: DeliverySettingsDep) -> list[dict[str, object]]:
    """Field problems of the spec: settings that do not fit its type, then addresses the SSRF guard refuses."""
    found: list[dict[str, object]] = [
        {"type": "value_error", "loc": ["body", *loc], "msg": message, "input": None}
        for loc, message in spec.problems()
    ]
    if not settings.webhook_allow_private_addresses:
        for loc, url in spec.addresses():
            if address := addresses.private_address(url):
                found.append(
                    {
                        "type": "value_error",
                        "loc": ["body", *loc],
                        "msg": addresses.refusal(url, address),
                        "input": None,
                    }
                )
    return found


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": f"{defaults.SUBSCRIPTIONS_MAX} subscriptions exist already"}},
)
def create_subscription(spec: SubscriptionIn, connection: SyncRedisDep, settings: DeliverySettingsDep) -> Subscription:
    """Alerts logged from now on that pass `filters` go to the receiver `type` names: a signed webhook
    POSTed to `url` (the answer is the only place its secret is shown), Alertmanager, Slack, Mattermost,
    email or Telegram (docs/connectors.md). Tokens, passwords and hook URLs are sealed at rest and
    never shown again. An address on loopback or a private network is refused unless
    SITREP_WEBHOOK_ALLOW_PRIVATE_ADDRESSES is set."""
    if problems := _refused(spec, settings):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, problems)
    if int(connection.scard(keys.SUBSCRIPTIONS_INDEX)) >= defaults.SUBSCRIPTIONS_MAX:
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"{defaults.SUBSCRIPTIONS_MAX} subscriptions exist already; delete some first"
        )
    return subscriptions.create(connection, spec).shown(with_secret=True)


@router.get("")
def list_subscriptions(connection: SyncRedisDep) -> list[Subscription]:
    return [_hidden(subscription) for subscription in subscriptions.list_all(connection)]


@router.get("/{subscription_id}")
def get_subscription(subscription_id: str, connection: SyncRedisDep) -> Subscription:
    return _hidden(_found(connection, subscription_id))


@router.delete("/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_subscription(subscription_id: str, connection: SyncRedisDep) -> Response:
    if not subscriptions.delete(connection, subscription_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no subscription {subscription_id!r}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{subscription_id}/enable")
def enable_subscription(subscription_id: str, connection: SyncRedisDep) -> Subscription:
    """Re-activate a subscription disabled by an HTTP 410 (deliveries given up are not resent: replay them)."""
    _found(connection, subscription_id)
    subscriptions.set_status(connection, subscription_id, "active")
    return _hidden(_found(connection, subscription_id))


@router.get("/{subscription_id}/deliveries")
def list_deliveries(
    subscription_id: str, connection: SyncRedisDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[Delivery]:
    """Newest first, each with every attempt: number, status code or error, duration, time."""
    _found(connection, subscription_id)
    return subscriptions.list_deliveries(connection, subscription_id, limit)


def _delivery(connection: SyncRedisDep, subscription_id: str, delivery_id: str) -> Delivery:
    _found(connection, subscription_id)
    view = subscriptions.delivery_view(connection, delivery_id)
    if view is None or view.subscription_id != subscription_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no delivery {delivery_id!r} for {subscription_id!r}")
    return view


@router.get("/{subscription_id}/deliveries/{delivery_id}")
def get_delivery(subscription_id: str, delivery_id: str, connection: SyncRedisDep) -> Delivery:
    return _delivery(connection, subscription_id, delivery_id)


@router.post(
    "/{subscription_id}/deliveries/{delivery_id}/replay",
    status_code=status.HTTP_202_ACCEPTED,
    responses={202: {"headers": {"Location": {"description": "The delivery", "schema": {"type": "string"}}}}},
)
def replay_delivery(
    subscription_id: str, delivery_id: str, connection: SyncRedisDep, settings: DeliverySettingsDep, response: Response
) -> Delivery:
    """Send it again now, same body and `webhook-id`; failures are retried on the usual schedule."""
    _delivery(connection, subscription_id, delivery_id)
    try:
        webhooks.replay(connection, settings, delivery_id)
    except ReplayRefused as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    response.headers["Location"] = f"/v1/subscriptions/{subscription_id}/deliveries/{delivery_id}"
    return _delivery(connection, subscription_id, delivery_id)
