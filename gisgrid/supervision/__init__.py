"""督查督办 and 联席会议: 督办 on cases/sources/grids, spot checks of lower grids with 通报, meetings and decisions."""
