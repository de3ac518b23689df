/// Text for the SVG pictures of training and evaluation (curves, confusion
/// matrix): model and class names are user data, so markup characters are
/// escaped and control characters (not allowed in XML 1.0) become spaces.
package enum SVGText {
    package static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default:
                if let ascii = character.asciiValue, ascii < 0x20, character != "\t" { out += " " } else { out.append(character) }
            }
        }
        return out
    }
}
