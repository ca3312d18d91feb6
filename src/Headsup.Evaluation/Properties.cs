using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Headsup.Evaluation.Tests")]
