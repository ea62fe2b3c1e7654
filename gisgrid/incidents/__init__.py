"""Incidents and the case workflow: intake, dispatch, deadlines, transfer, joint enforcement, KPIs."""
