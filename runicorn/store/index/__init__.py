"""Finding runs: the folder scan, the listing of run folders, the cold-start index, run info and labels."""
