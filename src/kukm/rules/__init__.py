"""Rules as versioned code: instruments, scale, classification, health, rating, compliance."""
