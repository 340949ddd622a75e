"""Small helpers shared by veoui's apps. Nothing here imports anything of veoui."""
