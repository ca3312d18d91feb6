[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Headsup.Evaluation.Tests")]
