"""Online monitoring of pollution sources (HJ 212-2017): stations, the TCP receiver, values, alerts, summaries."""
