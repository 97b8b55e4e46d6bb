"""Processing steps (pure ``Article -> Article`` functions) and the processor worker that chains them."""
