Console.WriteLine("generator: coming in the next commit");
