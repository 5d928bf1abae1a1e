from .batch import main

main()
