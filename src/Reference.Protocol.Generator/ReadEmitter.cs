namespace Reference.Protocol.Generator;

/// <summary>Emits a struct's static Read method: regular fields in order, then the tagged-field section.</summary>
internal sealed class ReadEmitter(CSharpEmitter owner, string className, IReadOnlyList<FieldSpec> fields, Versions scope)
{
    private CodeWriter Code => owner.Code;

    public void Emit()
    {
        Code.Line($"public static {className} Read(ref ProtocolReader reader, short version)");
        Code.Open();
        string flexible = owner.FlexibleCondition(scope);
        if (flexible is not ("true" or "false"))
        {
            Code.Line($"bool flexible = {flexible};");
            flexible = "flexible";
        }
        Code.Line($"var message = new {className}();");
        foreach (FieldSpec field in fields.Where(f => !f.IsTagged))
        {
            Versions fieldScope = field.Versions.Intersect(scope);
            string compact = field.FlexibleNever ? "false" : flexible;
            Code.If(CSharpEmitter.Condition(field.Versions, scope),
                () => ReadInto($"message.{field.Name}", field, "reader", compact, fieldScope));
        }
        Code.If(flexible, EmitTaggedSection);
        Code.Line("return message;");
        Code.Close();
    }

    private void EmitTaggedSection()
    {
        Versions taggedScope = scope.Intersect(owner.Message.FlexibleVersions);
        Code.Line("int taggedCount = reader.ReadTaggedFieldCount();");
        Code.Line("for (int t = 0; t < taggedCount; t++)");
        Code.Open();
        Code.Line("int tag = reader.ReadTag();");
        Code.Line("ReadOnlyMemory<byte> data = reader.ReadRaw(reader.ReadTaggedFieldSize());");
        Code.Line("switch (tag)");
        Code.Open();
        foreach (FieldSpec field in fields.Where(f => f.IsTagged).OrderBy(f => f.Tag))
        {
            Versions present = field.TaggedVersions.Intersect(field.Versions);
            string condition = CSharpEmitter.Condition(present, taggedScope);
            if (condition == "false") continue;
            Code.Line(condition == "true" ? $"case {field.Tag}:" : $"case {field.Tag} when {condition}:");
            Code.Open();
            Code.Line("var field = new ProtocolReader(data);");
            ReadInto($"message.{field.Name}", field, "field", "true", present.Intersect(taggedScope));
            Code.Line($"field.ExpectEnd(\"tagged field {field.Tag} ({field.Name})\");");
            Code.Line("break;");
            Code.Close();
        }
        Code.Line("default:");
        Code.Line("    (message.UnknownTaggedFields ??= new()).Add(new RawTaggedField(tag, data));");
        Code.Line("    break;");
        Code.Close();
        Code.Close();
    }

    private void ReadInto(string target, FieldSpec field, string reader, string compact, Versions fieldScope)
    {
        string nullable = CSharpEmitter.Condition(field.NullableVersions, fieldScope);
        FieldType type = field.Type;
        if (type.IsArray)
        {
            ReadArray(target, field, reader, compact, nullable);
            return;
        }
        if (type.IsStruct)
        {
            string read = $"{type.Name}.Read(ref {reader}, version)";
            if (nullable == "false") Code.Line($"{target} = {read};");
            else if (nullable == "true") Code.Line($"{target} = {reader}.ReadInt8() < 0 ? null : {read};");
            else Code.Line($"{target} = ({nullable}) && {reader}.ReadInt8() < 0 ? null : {read};");
            return;
        }
        if (type.Name is "string" or "bytes" or "records")
        {
            string kind = type.Name == "string" ? "String" : "Bytes";
            string orNull = $"{reader}.ReadNullable{kind}({compact})";
            string notNull = $"{reader}.Read{kind}({compact})";
            Code.Line(nullable switch
            {
                "false" => $"{target} = {notNull};",
                "true" => $"{target} = {orNull};",
                _ => $"{target} = ({nullable}) ? {orNull} : {notNull};",
            });
            return;
        }
        Code.Line($"{target} = {ReadPrimitive(type, reader, compact)};");
    }

    private void ReadArray(string target, FieldSpec field, string reader, string compact, string nullable)
    {
        FieldType element = field.Type.Element;
        Code.Open();
        Code.Line($"int count = {reader}.ReadArrayCount({compact});");
        Code.Line("if (count < 0)");
        Code.Open();
        string missing = $"throw new MalformedFrameException(\"null where {field.Name} is required\");";
        if (nullable == "false") Code.Line(missing);
        else
        {
            if (nullable != "true") Code.Line($"if (!({nullable})) {missing}");
            Code.Line($"{target} = null;");
        }
        Code.Close();
        Code.Line("else");
        Code.Open();
        Code.Line($"var list = new List<{CSharpEmitter.ElementType(element)}>(ProtocolReader.InitialListCapacity(count));");
        string read = element.IsStruct ? $"{element.Name}.Read(ref {reader}, version)" : ReadPrimitive(element, reader, compact);
        Code.Line($"for (int i = 0; i < count; i++) list.Add({read});");
        Code.Line($"{target} = list;");
        Code.Close();
        Code.Close();
    }

    internal static string ReadPrimitive(FieldType type, string reader, string compact) => type.Name switch
    {
        "bool" => $"{reader}.ReadBool()",
        "int8" => $"{reader}.ReadInt8()",
        "int16" => $"{reader}.ReadInt16()",
        "uint16" => $"{reader}.ReadUInt16()",
        "int32" => $"{reader}.ReadInt32()",
        "uint32" => $"{reader}.ReadUInt32()",
        "int64" => $"{reader}.ReadInt64()",
        "float64" => $"{reader}.ReadFloat64()",
        "uuid" => $"{reader}.ReadUuid()",
        "string" => $"{reader}.ReadString({compact})",
        "bytes" or "records" => $"{reader}.ReadBytes({compact})",
        _ => throw new InvalidOperationException($"not a primitive: {type.Name}"),
    };
}
