"""The notes' lessons as runnable experiments (`glasstorch experiment NAME`)."""
