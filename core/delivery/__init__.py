"""Alert delivery records shared by the API, the dispatcher, the webhook worker and the CLI: subscriptions,
deliveries, webhook attempts and their signing, the address guard, alert filters, the alert log's ids."""
